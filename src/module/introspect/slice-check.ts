// What the build checks before it ships typescript.js cut down to its parser (typescript-slice.ts): modules that reach
// the corners introspection reads come out the same with the slice as with the whole package. A slice that throws is
// caught at run time (introspectModule reads again with the whole); one that answers differently is caught only here
// and by test/unit/module-typescript-slice.test.ts.
import { introspectWith } from "./introspect-module.js";
import type { TsApi } from "./ts-api.js";

/** Module sources (one file each) for the corners: their signatures, warnings, or errors with positions. */
export const SLICE_SAMPLES: Readonly<Record<string, string>> = {
  corners: `import { dag, Container, Directory, Secret, object, func, field, argument } from "@dagger.io/dagger";
/** File doc. */

/** Levels. */
export enum Level { Low = "low", "High" = "high" }
export type Shape = { name: string; size?: number };
export interface Opts { /** Verbose? */ verbose: boolean; tags: string[] }
/**
 * The main object.
 * Second line.
 */
@object()
export class Corners {
  #hidden = 1;
  private secretThing = "x";
  @field() label: string = "a" + "b";
  constructor(
    /** The source. */ @argument({ defaultPath: "/", ignore: ["node_modules"] }) public source: Directory,
    private image = \`node:\${22}\`,
  ) {}
  /**
   * Does a thing.
   * @param level how loud
   * @param n - how many
   */
  @func()
  async run(level: Level = Level.Low, n?: number, tags: string[] = ["a", 'b'], t: Secret | null = null): Promise<string> {
    return dag.container().from(this.image).withExec(["echo", String(n)]).stdout();
  }
  @func() shape(s: Shape, o: Opts): Shape { return s; }
  @func() get size(): number { return this.#hidden; }
  @func() pair({ a, b }: { a: string; b: string }): Container { return dag.container(); }
  @func() async up(): Promise<void> { await dag.host().directory(".").sync(); dag.currentModule().source(); }
}
`,
  // a preset import makes introspection parse Gantry's own presets (src/toolchains) as well
  presets: `import { object, func, Directory, NodeToolchain, node } from "gantry";
@object()
export class Presets {
  @func() tools(source: Directory): NodeToolchain { return node(source); }
}
`,
  broken: `import { object, func } from "@dagger.io/dagger";
@object()
export class Broken {
  @func() f(x: string { return x; }
}
`,
  nomain: `export const x = 1;\n`,
  tuple: `import { object, func } from "@dagger.io/dagger";
@object()
export class Tuple {
  @func() pair(x: [string, number]): string { return x[0]; }
}
`,
  unicode: `import { object, func } from "@dagger.io/dagger";
/** Ünïcödé — “quotes” and 😀 before the class, so positions are counted in UTF-16. */
@object()
export class Unicode {
  /** Grüße 😀 */
  @func() grüße(name = "wörld😀", { x }: { x: number } = { x: 1 }): string { return name; }
}
`,
};

/** What a sample reads as with one TypeScript: its signature as JSON, or its error's class and message. */
export function readSample(ts: TsApi, name: string, source: string): string {
  const rootDir = `/gantry-slice-check/${name}`;
  const entry = `${rootDir}/.gantry/src/index.ts`;
  try {
    return JSON.stringify(introspectWith(ts, { name, rootDir, entry }, new Map([[entry, source]])));
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** The first sample the slice reads differently from the whole package, with both readings; undefined when none. */
export function sliceDiffers(slice: TsApi, whole: TsApi): string | undefined {
  for (const [name, source] of Object.entries(SLICE_SAMPLES)) {
    const got = readSample(slice, name, source);
    const want = readSample(whole, name, source);
    if (got !== want)
      return `sample "${name}": ${got.slice(0, 300)} instead of ${want.slice(0, 300)}`;
  }
  return undefined;
}

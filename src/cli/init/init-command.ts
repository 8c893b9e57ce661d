// `gantry init`: detect the project's stacks and write a short .gantry/ module that uses the presets.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../errors.js";
import { detectProject } from "../../toolchains/init/detect-project.js";
import { renderConfig, renderModule } from "../../toolchains/init/render-module.js";
import type { CliIo } from "../cli-io.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "../global-flags.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";
import { writeEditorTypes } from "../develop/editor-types.js";

const HELP = `Detect the project's toolchain(s) and write a .gantry/ module that uses Gantry's presets.

Usage: gantry init [DIR] [--force] [--name NAME]

  DIR           the project folder (default: the current folder)
  --force       replace an existing module and gantry.json
  --name NAME   the module's name (default: from package.json, mix.exs, go.mod or the folder)
  --sdk typescript  accepted as Dagger's init takes it (modules are TypeScript; no other SDK)

Looks at package.json and its lockfile (npm, pnpm, yarn, bun), pyproject.toml/requirements.txt/manage.py,
mix.exs, go.mod, Dockerfile, Makefile and justfile. Then: gantry functions, gantry call ci, gantry check.

${GLOBAL_FLAGS_HELP}`;

interface InitArgs {
  dir: string;
  force: boolean;
  name?: string;
}

// The words after `init`: a folder, --force, --name, and the global flags.
function parseInitArgs(rest: readonly string[], globals: GlobalOptions, cwd: string): InitArgs {
  const out: InitArgs = { dir: cwd, force: false };
  let dirGiven = false;
  for (let i = 0; i < rest.length;) {
    const tok = rest[i] as string;
    const [name, inline] = splitFlagToken(tok);
    if (tok === "--force" || tok === "-f") out.force = true;
    else if (name === "sdk") {
      // Dagger's `dagger init --sdk=typescript`: Gantry's modules are TypeScript, so that one is taken as it is
      const v = inline ?? rest[++i];
      if (!v || !/^(typescript|ts)$/i.test(v))
        throw new UsageError(
          `gantry init: --sdk=${v ?? ""}: Gantry modules are written in TypeScript only; leave --sdk out (or --sdk=typescript)`,
        );
    } else if (name === "name") {
      const v = inline ?? rest[++i];
      if (!v) throw new UsageError("--name needs a value: --name=my-app");
      out.name = v;
    } else if (!tok.startsWith("-") && !dirGiven) {
      out.dir = path.resolve(cwd, tok);
      dirGiven = true;
    } else {
      const next = consumeGlobalFlag(globals, name, inline, rest, i);
      if (next === undefined)
        throw new UsageError(
          `gantry init: unknown argument ${tok}: it takes [DIR] [--force] [--name NAME]`,
        );
      i = next;
      continue;
    }
    i++;
  }
  return out;
}

/** A path as a person would type it from `cwd`: `.`, `web/gantry.json`, or absolute when it lies outside `cwd`. */
export function shownPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === "") return ".";
  if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return file;
  return rel;
}

/** Run `gantry init …`; `rest` is everything after the word `init`. */
export async function runInit(globals: GlobalOptions, rest: string[], io: CliIo): Promise<number> {
  const args = parseInitArgs(rest, globals, io.cwd);
  if (globals.help || rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!fs.statSync(args.dir, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`gantry init: ${args.dir} is not a folder: give the project's folder`);
  const entry = path.join(args.dir, ".gantry", "src", "index.ts");
  const config = path.join(args.dir, "gantry.json");
  const existing = [entry, config, path.join(args.dir, "dagger.json")].filter((f) =>
    fs.existsSync(f),
  );
  if (existing.length > 0 && !args.force) {
    const shown = existing.map((f) => shownPath(io.cwd, f)).join(" and ");
    const verb = existing.length > 1 ? "exist" : "exists";
    throw new UsageError(`gantry init: ${shown} already ${verb}; nothing was written`, {
      hint: "edit the module, or run gantry init --force to replace it",
    });
  }
  const facts = detectProject(args.dir);
  if (args.name !== undefined) facts.name = args.name;
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, renderModule(facts));
  fs.writeFileSync(config, renderConfig(facts));
  const rel = (f: string): string => shownPath(io.cwd, f);
  // a Makefile's or justfile's recipes are what a generic toolchain runs: detected, not "no known project files"
  const runner = facts.make?.length ? "Makefile" : facts.just?.length ? "justfile" : undefined;
  if (facts.stacks.length === 0 && !facts.dockerfile && !runner) {
    io.stderr.write(
      `gantry init: no known project files in ${rel(args.dir)} (looked for package.json, bun.lock, ` +
        `pyproject.toml, requirements.txt, manage.py, mix.exs, go.mod, Dockerfile${facts.make ? "" : ", Makefile, justfile"}).\n` +
        `Wrote a minimal module with a generic toolchain: set its image and commands in ${rel(entry)}.\n`,
    );
  } else {
    const generic = facts.stacks.length === 0;
    const kinds = [
      ...facts.stacks.map((s) => s.kind),
      ...(facts.dockerfile ? ["Dockerfile"] : []),
      ...(generic && runner ? [runner] : []),
    ];
    io.stdout.write(`Detected: ${kinds.join(", ")}\n`);
    if (generic)
      io.stdout.write(
        runner
          ? `The checks run the ${runner}'s recipes with a generic toolchain: check its image and commands in ${rel(entry)}.\n`
          : `The checks use a generic toolchain: set its image and commands in ${rel(entry)}.\n`,
      );
  }
  // the module is written; a folder in the way of its editor types is said, not an error
  let types: ReturnType<typeof writeEditorTypes> | undefined;
  try {
    types = writeEditorTypes(path.dirname(path.dirname(entry)));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(
      `gantry init: no editor types: ${e.message.replace(/^gantry develop: /, "")}\n`,
    );
  }
  const deploy = facts.dockerfile ? " · gantry call deploy --port=8080 --health=/" : "";
  // the next commands run in the project's folder: say which when it is not this one
  const where = args.dir === path.resolve(io.cwd) ? "" : ` (in ${rel(args.dir)})`;
  io.stdout.write(
    `Wrote ${rel(entry)} and ${rel(config)}.\nNext${where}: gantry functions · gantry call ci · gantry check${deploy}\n` +
      (types
        ? `Editor types: ${rel(types.tsconfig)} maps "gantry" to ${rel(types.sdkDir)}/ (gitignored; gantry develop refreshes it)\n`
        : ""),
  );
  return 0;
}

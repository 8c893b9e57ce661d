// Calls of Dagger core API that Gantry lacks, found in the module's source before it runs: the CLI names each
// with its file:line at load time instead of failing in the middle of a run.
import path from "node:path";
import type * as TS from "typescript";
import { DAGGER_CORE_API, UNSUPPORTED } from "../../sdk/dagger-core-api.js";
import type { UnsupportedCall } from "../signature.js";
import type { FileScope } from "./file-scope.js";
import type { TsApi } from "./ts-api.js";

type DaggerType = keyof typeof DAGGER_CORE_API;

/** Each name Gantry lacks on every type that has it, with those types (`withSymlink` → Container, Directory). */
function missingEverywhere(): Map<string, DaggerType[]> {
  const implemented = new Set<string>();
  const missing = new Map<string, DaggerType[]>();
  for (const type of Object.keys(DAGGER_CORE_API) as DaggerType[]) {
    const lacks = new Set<string>(UNSUPPORTED[type]);
    for (const name of DAGGER_CORE_API[type]) {
      if (!lacks.has(name)) implemented.add(name);
      else missing.set(name, [...(missing.get(name) ?? []), type]);
    }
  }
  for (const name of implemented) missing.delete(name);
  return missing;
}

// Names common in ordinary code (fs.stat, x.search(), obj.name) are flagged only on a chain that starts at `dag`.
const DISTINCT =
  /^(with|without|experimental|as)[A-Z]|^(llm|currentEnv|currentWorkspace|moduleSource)$/;

/**
 * The expression a call chain starts from (`dag` in `dag.container().from(x).withFoo()`), and the first name
 * called on it (`container`), which tells a dependency's chain (`dag.myDep().file()`) from core API.
 */
function chainRoot(ts: TsApi, e: TS.Expression): { root: TS.Expression; first?: string } {
  let cur = e;
  let first: string | undefined;
  for (;;) {
    if (ts.isPropertyAccessExpression(cur)) {
      first = cur.name.text;
      cur = cur.expression;
    } else if (
      ts.isCallExpression(cur) ||
      ts.isParenthesizedExpression(cur) ||
      ts.isNonNullExpression(cur) ||
      ts.isAwaitExpression(cur)
    )
      cur = cur.expression;
    else return { root: cur, first };
  }
}

/** True when `e` is the SDK's `dag` (imported by that name or alias, or `dagger.dag`). */
function isDag(ts: TsApi, scope: FileScope, e: TS.Expression): boolean {
  if (ts.isIdentifier(e)) return (scope.aliases.get(e.text) ?? e.text) === "dag";
  return (
    ts.isPropertyAccessExpression(e) &&
    e.name.text === "dag" &&
    ts.isIdentifier(e.expression) &&
    scope.sdkNamespaces.has(e.expression.text)
  );
}

/** The main object's method a node sits in, if any (a finding there blocks only that function). */
function enclosingFunction(ts: TsApi, node: TS.Node, mainObject: string): string | undefined {
  for (let n: TS.Node | undefined = node; n; n = n.parent) {
    if (
      (ts.isMethodDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isGetAccessor(n)) &&
      n.parent &&
      ts.isClassDeclaration(n.parent) &&
      n.parent.name?.text === mainObject &&
      n.name &&
      ts.isIdentifier(n.name)
    )
      return n.name.text;
  }
  return undefined;
}

/** Every call of a missing Dagger method in the module's files; `ownNames` are the module's own members. */
export function findUnsupportedCalls(
  ts: TsApi,
  scopes: Iterable<FileScope>,
  opts: {
    rootDir: string;
    mainObject: string;
    ownNames: ReadonlySet<string>;
    /** `dag.<name>` of the module's dependencies: their methods are not Dagger's. */
    dependencies?: ReadonlySet<string>;
  },
): UnsupportedCall[] {
  const missing = missingEverywhere();
  const found: UnsupportedCall[] = [];
  for (const scope of scopes) {
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const name = node.expression.name.text;
        const types = missing.get(name);
        const chain = chainRoot(ts, node.expression.expression);
        const fromDag = isDag(ts, scope, chain.root);
        // `dag.dep()` itself, or a call on its result: the dependency's, not Dagger's
        const viaDependency = fromDag && opts.dependencies?.has(chain.first ?? name);
        // the module's own names are its own, except on a chain from `dag`, which reaches only Dagger's API and
        // dependencies (`dag.llm()` in a module with its own `llm` function)
        if (
          types &&
          (!opts.ownNames.has(name) || (fromDag && !viaDependency)) &&
          !viaDependency &&
          (DISTINCT.test(name) || fromDag)
        ) {
          const { line, character } = scope.sf.getLineAndCharacterOfPosition(
            node.expression.name.getStart(scope.sf),
          );
          const fn = enclosingFunction(ts, node, opts.mainObject);
          found.push({
            call: types.map((t) => `${t === "Query" ? "dag" : t}.${name}`).join(" / "),
            at: `${path.relative(opts.rootDir, scope.file)}:${line + 1}:${character + 1}`,
            ...(fn ? { fn } : {}),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(scope.sf);
  }
  return found;
}

// Gantry's layers as a lint rule: imports point one way (see docs/design-notes/layers.md), each wrong-way arrow fails lint.
import path from "node:path";

/** Lower number = higher layer; a file may import only from its own folder or a strictly lower layer. */
const LEVEL = {
  "index.ts": 0,
  cli: 0,
  module: 1,
  compose: 1,
  toolchains: 1,
  deploy: 1,
  observe: 1,
  sdk: 2,
  engine: 3,
  runtime: 4,
  store: 5,
  "errors.ts": 6,
  "env.ts": 6,
  "process-alive.ts": 6,
  "process-exit.ts": 6,
};

// `src/<top>/…` → its top folder (or file) name.
function topOf(rel) {
  return rel.split(path.sep)[0];
}

// Why an import from `from` (a path under src) of `to` is a wrong-way arrow, or undefined when it is fine.
export function layerViolation(from, to) {
  const a = topOf(from);
  const b = topOf(to);
  if (!(a in LEVEL) || !(b in LEVEL) || a === b) return undefined;
  if (LEVEL[b] <= LEVEL[a])
    return `${a} must not import from ${b}: layers point one way (cli → module, compose → sdk → engine → runtime → store → errors, env)`;
  if (b === "engine" && to !== path.join("engine", "api", "index.ts"))
    return `${a} reaches into the engine's internals (${to}): import from engine/api/index.js, the engine's one seam`;
  if (b === "runtime" && /^runtime\/(docker|host)\//.test(to.split(path.sep).join("/")))
    return `${a} reaches into a runtime implementation (${to}): only runtime/ may; use the Runtime interface or a runtime/*.ts entry`;
  if (a === "sdk" && (b === "runtime" || b === "store"))
    return `the SDK builds graphs and evaluates through engine/api only; it must not import ${b}/`;
  return undefined;
}

export default {
  rules: {
    "one-way": {
      meta: {
        type: "problem",
        docs: { description: "imports follow Gantry's layers" },
        schema: [],
      },
      create(context) {
        const file = context.filename;
        const src = path.join(context.cwd, "src");
        if (!file.startsWith(src + path.sep)) return {};
        const from = path.relative(src, file);
        const check = (node, spec) => {
          if (typeof spec !== "string") return;
          if (spec === "dockerode" && !from.startsWith(path.join("runtime", "docker") + path.sep)) {
            context.report({
              node,
              message: `dockerode is used only inside runtime/docker/: go through the Runtime interface`,
            });
            return;
          }
          if (!spec.startsWith(".")) return;
          const abs = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
          if (!abs.startsWith(src + path.sep)) return;
          const why = layerViolation(from, path.relative(src, abs));
          if (why) context.report({ node, message: why });
        };
        return {
          ImportDeclaration: (n) => check(n, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
          ExportAllDeclaration: (n) => check(n, n.source.value),
          ImportExpression: (n) => n.source.type === "Literal" && check(n, n.source.value),
        };
      },
    },
  },
};

// Writes the module `gantry init` leaves: a short class extending the main stack's preset, every choice visible.
import { BUN_IMAGE } from "../bun/bun-toolchain.js";
import { ELIXIR_IMAGE, mixAliasDb } from "../elixir/elixir-toolchain.js";
import { GO_IMAGE } from "../go/go-toolchain.js";
import { NODE_IMAGE } from "../node/node-toolchain.js";
import { PYTHON_IMAGE } from "../python/python-toolchain.js";
import { pythonCommands } from "../python/python-tools.js";
import type { ProjectFacts, Stack } from "./detect-project.js";
import { DEPLOY_IMPORTS, deployMembers } from "./render-deploy.js";

const CLASS: Record<Stack["kind"], string> = {
  node: "NodeToolchain",
  bun: "BunToolchain",
  python: "PythonToolchain",
  go: "GoToolchain",
  elixir: "ElixirToolchain",
};

/** The preset's image, written as the constructor's `image` argument so `gantry call --image=REF ci` can change it. */
const IMAGE: Record<Stack["kind"], string> = {
  node: NODE_IMAGE,
  bun: BUN_IMAGE,
  python: PYTHON_IMAGE,
  go: GO_IMAGE,
  elixir: ELIXIR_IMAGE,
};

const IGNORE: Record<Stack["kind"], string[]> = {
  node: ["node_modules", "dist", "coverage"],
  bun: ["node_modules", "dist", "coverage"],
  python: ["__pycache__", ".venv", "venv", ".coverage"],
  go: ["dist"],
  elixir: ["deps", "_build", "cover"],
};

/** Every module init writes trusts a TLS-intercepting proxy's CA as the host does (`extraCa`, read at its top). */
const CA_CERTS = "...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),";

// A string as a person writes it in TypeScript: single-quoted when it holds double quotes (`"$@"`) and no single ones.
function quoted(text: string): string {
  return text.includes('"') && !/['\\]/.test(text) ? `'${text}'` : JSON.stringify(text);
}

/** `my-app` → `MyApp`, the class name Gantry picks as the module's main object. */
export function className(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("");
}

// A script-backed option: the command when the project has the script, else a comment saying why not.
function scriptOption(
  key: string,
  scripts: Record<string, string>,
  names: string[],
  run: (s: string) => string,
): string {
  const found = names.find((n) => scripts[n] !== undefined);
  if (found) return `${key}: ${JSON.stringify(run(found))},`;
  return `${key}: false, // no ${names.map((n) => `"${n}"`).join(" or ")} script in package.json`;
}

// The options of the main stack's preset, one per line, as a person would write them.
function options(facts: ProjectFacts, stack: Stack): string[] {
  const lines = [
    `name: ${JSON.stringify(facts.name)},`,
    "image, // another image (a mirror's, another version): gantry call --image=REF ci",
    CA_CERTS,
  ];
  if (stack.kind === "node" || stack.kind === "bun") {
    const pm = stack.kind === "bun" ? "bun" : stack.packageManager;
    if (stack.kind === "node") lines.push(`packageManager: ${JSON.stringify(pm)},`);
    const run = (s: string): string =>
      s === "test" && pm !== "bun" ? `${pm} test` : `${pm} run ${s}`;
    const sc = stack.scripts;
    lines.push(scriptOption("format", sc, ["format:check", "format-check", "check-format"], run));
    if (["format", "format:fix"].some((s) => sc[s] !== undefined))
      lines.push(scriptOption("formatFix", sc, ["format", "format:fix"], run));
    lines.push(scriptOption("lint", sc, ["lint"], run));
    if (stack.kind === "bun" && sc.test === undefined) lines.push(`test: "bun test",`);
    else lines.push(scriptOption("test", sc, ["test"], run));
    lines.push(scriptOption("build", sc, ["build"], run));
    if (stack.kind === "node" && stack.typescript && sc.build !== undefined)
      lines.push(
        `compile: ${JSON.stringify(run("build"))}, // TypeScript: every task sees the compiled code`,
      );
    const db: string[] = [];
    for (const [k, names] of [
      ["migrate", ["migrate", "db:migrate"]],
      ["rollback", ["migrate:down", "rollback", "db:rollback"]],
      ["seed", ["seed", "db:seed"]],
    ] as const) {
      const s = names.find((n) => sc[n] !== undefined);
      if (s === undefined) continue;
      // rollback's {step} is `--step N`, passed to the script after `--`
      db.push(`${k}: ${JSON.stringify(k === "rollback" ? `${run(s)} -- {step}` : run(s))}`);
    }
    if (stack.postgres || db.length > 0)
      lines.push("postgres: true, // the tests get postgres:5432");
    if (db.length > 0) lines.push(`db: { ${db.join(", ")} },`);
  } else if (stack.kind === "python") {
    // only the tools the project declares (the preset decides the same way)
    const cmd = pythonCommands(stack.tools, stack.django);
    const none = "in requirements*.txt, pyproject.toml or setup.cfg";
    lines.push(
      cmd.format
        ? `format: ${JSON.stringify(cmd.format)},`
        : `format: false, // no Black, Ruff or isort ${none}`,
    );
    lines.push(
      cmd.lint ? `lint: ${JSON.stringify(cmd.lint)},` : `lint: false, // no Flake8 or Ruff ${none}`,
    );
    lines.push(`test: ${quoted(cmd.test)},`);
    if (stack.postgres) lines.push("postgres: true, // the tests get postgres:5432");
    if (stack.django) lines.push(`db: { migrate: "python3 manage.py migrate --noinput" },`);
  } else if (stack.kind === "go") {
    lines.push(`platforms: ["linux/amd64", "linux/arm64"], // build makes a binary for each`);
  } else if (stack.kind === "elixir") {
    if (stack.postgres || stack.ecto) lines.push("postgres: true, // the tests get postgres:5432");
    if (stack.ecto)
      lines.push("// db: mix ecto.create, ecto.migrate, ecto.rollback --step N, ecto.reset");
    const db = Object.entries(mixAliasDb(stack.mixExs)).map(
      ([k, v]) => `${k}: ${JSON.stringify(v)}`,
    );
    if (!stack.ecto && db.length > 0) lines.push(`db: { ${db.join(", ")} }, // the mix aliases`);
  }
  if (facts.make && facts.make.length > 0)
    lines.push(`// the Makefile has: ${facts.make.join(", ")} (e.g. test: "make test")`);
  if (facts.just && facts.just.length > 0)
    lines.push(`// the justfile has: ${facts.just.join(", ")} (e.g. test: "just test")`);
  return lines;
}

// The generic toolchain for a project whose stack is unknown: its Makefile's or justfile's recipes, if any.
function genericOptions(facts: ProjectFacts): string[] {
  const lines = [
    `name: ${JSON.stringify(facts.name)},`,
    `image, // ${genericImage(facts).note}: gantry call --image=REF ci`,
    CA_CERTS,
  ];
  const runner = facts.make?.length ? "make" : facts.just?.length ? "just" : undefined;
  const recipes = facts.make?.length ? facts.make : (facts.just ?? []);
  if (runner) {
    for (const [key, names] of [
      ["format", ["fmt-check", "format-check", "check-format"]],
      ["lint", ["lint"]],
      ["test", ["test", "check"]],
      ["build", ["build", "all"]],
    ] as const) {
      const r = names.find((n) => recipes.includes(n));
      if (r) lines.push(`${key}: "${runner} ${r}",`);
    }
  } else {
    lines.push(`// test: "./run-tests.sh",`, `// build: "make", buildOutput: "out",`);
  }
  return lines;
}

// The generic toolchain's image: one with make or just when the project has their recipes, else a plain Debian.
function genericImage(facts: ProjectFacts): { ref: string; note: string } {
  const runner = facts.make?.length ? "make" : facts.just?.length ? "just" : undefined;
  return runner
    ? { ref: "buildpack-deps:bookworm", note: `an image with ${runner} and your tools` }
    : { ref: "debian:bookworm-slim", note: "the image your tools are in" };
}

/** The module's entry file. */
export function renderModule(facts: ProjectFacts): string {
  const [main, ...others] = facts.stacks;
  const base = main ? CLASS[main.kind] : "Toolchain";
  const ignore = [".git", ...(main ? IGNORE[main.kind] : [])];
  const imports = new Set(["argument", "dag", "object", "Directory", base]);
  const extra: string[] = [];
  for (const s of others) {
    imports.add("func").add(CLASS[s.kind]);
    extra.push(
      "",
      `  /** The ${s.kind} part of the project: gantry call ${s.kind} test, …. */`,
      "  @func()",
      `  ${s.kind}(): ${CLASS[s.kind]} {`,
      `    return new ${CLASS[s.kind]}(this.source, { name: ${JSON.stringify(`${facts.name}-${s.kind}`)} });`,
      "  }",
    );
  }
  // the Dockerfile: the preset's `image` task (ci builds it too), and deploy/releases/rollback around it
  if (facts.dockerfile) {
    for (const i of DEPLOY_IMPORTS) imports.add(i);
    extra.push(...deployMembers(facts));
  }
  const lines = main ? options(facts, main) : genericOptions(facts);
  if (facts.dockerfile)
    lines.push(`dockerfile: "Dockerfile", // gantry call image; ci builds it too`);
  const opts = lines.map((l) => `      ${l}`);
  const order = ["argument", "dag", "func", "object", "Container", "Directory", "Secret"];
  const sorted = [...imports].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  return [
    `// ${facts.name}'s pipeline, written by \`gantry init\`: edit it freely.`,
    "// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks",
    `import { ${sorted.join(", ")} } from "gantry";`,
    "",
    "// Behind a TLS-intercepting proxy, the tasks (npm, bun, the secret scan) trust its CA as the host does.",
    "const extraCa = process.env.NODE_EXTRA_CA_CERTS;",
    "",
    `/** ${facts.name}: ${main ? `the ${main.kind} toolchain's tasks` : "a toolchain running the commands below"}. */`,
    "@object()",
    `export class ${className(facts.name)} extends ${base} {`,
    "  constructor(",
    // "." is the folder holding gantry.json: the project, also when it sits in a sub-folder of a git repository
    // (where "/" would be the repository's root, as in Dagger)
    `    @argument({ defaultPath: ".", ignore: ${JSON.stringify(ignore).replace(/","/g, '", "')} }) source: Directory,`,
    `    image = ${JSON.stringify(main ? IMAGE[main.kind] : genericImage(facts).ref)},`,
    "  ) {",
    "    super(source, {",
    ...opts,
    "    });",
    "  }",
    ...extra,
    "}",
    "",
  ].join("\n");
}

/** gantry.json beside the project: the module's name and folder. */
export function renderConfig(facts: ProjectFacts): string {
  return `${JSON.stringify({ name: facts.name, source: ".gantry" }, null, 2)}\n`;
}

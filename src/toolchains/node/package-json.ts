// What a Node project says about itself: its package manager (by lockfile) and its scripts.

export type PackageManager = "npm" | "pnpm" | "yarn";

/** The package manager a project's lockfile names; npm when there is none. */
export function detectPackageManager(entries: readonly string[]): PackageManager {
  if (entries.includes("pnpm-lock.yaml")) return "pnpm";
  if (entries.includes("yarn.lock")) return "yarn";
  return "npm";
}

/** The `scripts` of a package.json's text; empty when it has none or does not parse. */
export function readScripts(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    // a leading byte-order mark is not JSON; npm reads past it
    const pkg = JSON.parse(text.replace(/^\uFEFF/, "")) as { scripts?: unknown } | null;
    const s = pkg?.scripts;
    if (typeof s !== "object" || s === null) return {};
    return Object.fromEntries(
      Object.entries(s).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
  } catch {
    return {};
  }
}

/** The first of these scripts the project has. */
export function firstScript(
  scripts: Record<string, string>,
  names: readonly string[],
): string | undefined {
  return names.find((n) => scripts[n] !== undefined);
}

/** `npm run lint`, `pnpm run lint`, `yarn run lint`; `npm test` for the test script. */
export function runScript(pm: PackageManager, script: string): string {
  if (script === "test") return `${pm} test`;
  return `${pm} run ${script}`;
}

/** The `packageManager` field's version for this manager (`pnpm@9.1.0+sha512.…` → `9.1.0`), if it names one. */
export function pinnedVersion(text: string | undefined, pm: PackageManager): string | undefined {
  if (text === undefined) return undefined;
  try {
    const field = (JSON.parse(text) as { packageManager?: unknown }).packageManager;
    if (typeof field !== "string" || !field.startsWith(`${pm}@`)) return undefined;
    const v = field.slice(pm.length + 1).split("+")[0];
    return v && /^[\w.-]+$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shell line that makes pnpm or yarn available: the image's own, else corepack's shim, else (Node 25 and
 * distributions' Node ship no corepack) `npm install -g` of the version package.json pins.
 */
export function ensurePackageManager(pm: "pnpm" | "yarn", version: string | undefined): string {
  const spec = version ? `${pm}@${version}` : pm;
  return `{ command -v ${pm} >/dev/null || { command -v corepack >/dev/null && corepack enable; } || npm install -g --no-audit --no-fund ${spec}; }`;
}

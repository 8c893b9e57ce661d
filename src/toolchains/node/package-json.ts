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
    const pkg = JSON.parse(text) as { scripts?: unknown };
    const s = pkg.scripts;
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

// A project's own task runner: the catalog's tasks as `just <recipe>` / `make <target>` when the project has them.
import { UsageError, type Directory } from "../../sdk/index.js";
import type { Command } from "./command.js";
import type { LanguageDefaults } from "./toolchain-plan.js";

/** The runner whose recipes the presets call (`taskRunner` option). */
export type TaskRunner = "just" | "make";

/** Targets of a Makefile (`name:` at the start of a line, not a variable or a special target). */
export function makeTargets(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^([A-Za-z][\w.-]*)\s*:(?!=)/gm)) if (m[1]) out.add(m[1]);
  return [...out];
}

/** Recipes of a justfile (`name args…:` at the start of a line). */
export function justRecipes(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^@?([A-Za-z][\w-]*)(?:\s+[^:=\n]*)?:(?!=)/gm))
    if (m[1]) out.add(m[1]);
  return [...out];
}

type RecipeTask =
  | "install"
  | "compile"
  | "format"
  | "formatFix"
  | "lint"
  | "lintStrict"
  | "test"
  | "build"
  | "audit";

/** The recipe names each task answers to, most specific first. */
export const RECIPE_NAMES: Readonly<Record<RecipeTask, readonly string[]>> = {
  install: ["install", "deps", "setup"],
  compile: ["compile"],
  format: ["format-check", "fmt-check", "check-format", "check-fmt"],
  formatFix: ["format", "fmt"],
  lint: ["lint"],
  lintStrict: ["lint-strict"],
  test: ["test"],
  build: ["build"],
  audit: ["audit"],
};

const FILES: Record<TaskRunner, readonly string[]> = {
  just: ["justfile", "Justfile", ".justfile"],
  make: ["Makefile", "makefile", "GNUmakefile"],
};

/**
 * The language's defaults with every task the project's justfile/Makefile has a recipe for replaced by that
 * recipe, so `gantry call test` runs what `just test` runs (on the host and in the image, which must have the
 * runner). The recipes file joins the deps files when `install` comes from it.
 */
export async function withRecipes(
  d: LanguageDefaults,
  source: Directory,
  runner: TaskRunner,
): Promise<LanguageDefaults> {
  const entries = await source.entries();
  const file = FILES[runner].find((f) => entries.includes(f));
  if (!file) {
    throw new UsageError(
      `taskRunner is "${runner}" but the project has no ${FILES[runner].join(" or ")} at its top`,
      { hint: `add one, or remove taskRunner from the module's options` },
    );
  }
  const text = await source.file(file).contents();
  const have = new Set(runner === "just" ? justRecipes(text) : makeTargets(text));
  const out: LanguageDefaults = { ...d };
  for (const [task, names] of Object.entries(RECIPE_NAMES) as [RecipeTask, readonly string[]][]) {
    const name = names.find((n) => have.has(n));
    if (name === undefined) continue;
    const cmd: Command = [runner, name];
    out[task] = cmd;
  }
  if (out.install !== d.install) out.depsFiles = [...new Set([...d.depsFiles, file])];
  return out;
}

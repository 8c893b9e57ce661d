// Dagger's rule for which class is the module: the one named like the module, else the only one there is.
import { ModuleError } from "../errors.js";
import { toPascalCase } from "./names.js";

export interface ObjectCandidate {
  name: string;
  /** Exported from the entry file: breaks a tie between several classes none of which is named like the module. */
  exported: boolean;
}

/**
 * The main object's class name among the module's @object() classes, exported or not (Dagger's own
 * examples declare `@object() class MyModule` without `export`): the class named like the module in
 * PascalCase (`my-ci` → `MyCi`, matched exactly, then ignoring case), else the only class, else the
 * only one the entry file exports. `where` names the entry file in messages.
 */
export function pickMainObject(
  candidates: readonly ObjectCandidate[],
  moduleName: string,
  where: string,
): string {
  const wanted = toPascalCase(moduleName);
  const exact = candidates.find((c) => c.name === wanted);
  if (exact) return exact.name;
  const loose = candidates.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (loose.length === 1 && loose[0]) return loose[0].name;
  if (candidates.length === 1 && candidates[0]) return candidates[0].name;
  const exported = candidates.filter((c) => c.exported);
  if (exported.length === 1 && exported[0]) return exported[0].name;
  if (candidates.length > 1) {
    const names = candidates.map((c) => c.name).join(", ");
    const verb = exported.length === candidates.length ? "exports" : "declares";
    throw new ModuleError(
      `${where} ${verb} several @object() classes (${names}) and none is named ${wanted} after the module "${moduleName}": rename the main class to ${wanted}, or change "name" in the module config`,
    );
  }
  throw new ModuleError(
    `${where} has no class decorated with @object(): declare one like \`@object() export class ${wanted} { @func() hello(): string { return "hi" } }\``,
  );
}

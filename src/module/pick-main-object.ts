// Dagger's rule for which class is the module: the one named like the module, else the only one there is.
import { ModuleError } from "../errors.js";
import { toPascalCase } from "./names.js";

export interface ObjectCandidate {
  name: string;
  exported: boolean;
}

/**
 * The main object's class name: the exported @object() class named like the module in PascalCase
 * (`my-ci` → `MyCi`, matched exactly, then ignoring case), else the only exported @object() class.
 * `where` names the entry file in messages.
 */
export function pickMainObject(
  candidates: readonly ObjectCandidate[],
  moduleName: string,
  where: string,
): string {
  const wanted = toPascalCase(moduleName);
  const exported = candidates.filter((c) => c.exported);
  const exact = exported.find((c) => c.name === wanted);
  if (exact) return exact.name;
  const loose = exported.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (loose.length === 1 && loose[0]) return loose[0].name;
  if (exported.length === 1 && exported[0]) return exported[0].name;
  if (exported.length > 1) {
    const names = exported.map((c) => c.name).join(", ");
    throw new ModuleError(
      `${where} exports several @object() classes (${names}) and none is named ${wanted} after the module "${moduleName}": rename the main class to ${wanted}, or change "name" in the module config`,
    );
  }
  if (candidates.length > 0) {
    const names = candidates.map((c) => c.name).join(", ");
    throw new ModuleError(
      `${where} declares @object() classes (${names}) but exports none: add \`export\` to the main class (${wanted})`,
    );
  }
  throw new ModuleError(
    `${where} has no class decorated with @object(): export a class like \`@object() export class ${wanted} { @func() hello(): string { return "hi" } }\``,
  );
}

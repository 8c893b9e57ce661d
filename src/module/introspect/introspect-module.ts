// Reads a module's signatures from its source with the TypeScript parser, without running or type-checking it.
import path from "node:path";
import type * as TS from "typescript";
import { ModuleError } from "../../errors.js";
import type { ModuleLocation } from "../find-module.js";
import { resolveLocalImport } from "../local-imports.js";
import { MODULE_CACHE_SCHEMA } from "../module-digest.js";
import { pickMainObject } from "../pick-main-object.js";
import type { ModuleSignature, ObjectSignature } from "../signature.js";
import { readFileScope, type FileScope } from "./file-scope.js";
import { readClass } from "./read-class.js";
import { readDecorators } from "./read-decorators.js";
import { readFileDoc } from "./read-docs.js";
import { collectEnums } from "./collect-enums.js";
import { loadTypeScript, type TsApi } from "./ts-api.js";

type NamedClass = TS.ClassDeclaration & { name: TS.Identifier };

// Parse errors stop introspection with file:line:col, the same shape esbuild's errors take.
function assertParsed(ts: TsApi, sf: TS.SourceFile, shown: string): void {
  const diags = (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  const first = diags[0];
  if (!first) return;
  const { line, character } = sf.getLineAndCharacterOfPosition(first.start ?? 0);
  const msg = ts.flattenDiagnosticMessageText(first.messageText, "\n").replace(/\.$/, "");
  throw new ModuleError(`${shown}:${line + 1}:${character + 1}: ${msg}: fix the syntax error`);
}

// Names of the classes a file exports, following `export { X }`, `export { X } from` and `export * from`.
function exportedClasses(
  ts: TsApi,
  scopes: Map<string, FileScope>,
  file: string,
  seen = new Set<string>(),
): Set<string> {
  const out = new Set<string>();
  const scope = scopes.get(file);
  if (!scope || seen.has(file)) return out;
  seen.add(file);
  for (const st of scope.sf.statements) {
    if (
      ts.isClassDeclaration(st) &&
      st.name &&
      st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      out.add(st.name.text);
    }
    if (!ts.isExportDeclaration(st)) continue;
    const spec =
      st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
        ? st.moduleSpecifier.text
        : undefined;
    if (st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        const local = (el.propertyName ?? el.name).text;
        out.add(spec === undefined ? (scope.aliases.get(local) ?? local) : local);
      }
    } else if (!st.exportClause && spec?.startsWith(".")) {
      const target = resolveLocalImport(file, spec);
      if (target) for (const n of exportedClasses(ts, scopes, target, seen)) out.add(n);
    }
  }
  return out;
}

/** The module's signature, from the local files collected for its digest (path → text, entry first). */
export async function introspectModule(
  mod: Pick<ModuleLocation, "name" | "rootDir" | "entry">,
  files: ReadonlyMap<string, string>,
): Promise<ModuleSignature> {
  const ts = await loadTypeScript();
  const scopes = new Map<string, FileScope>();
  for (const [file, text] of files) {
    if (!/\.[cm]?tsx?$/.test(file)) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    assertParsed(ts, sf, path.relative(mod.rootDir, file));
    scopes.set(file, readFileScope(ts, sf));
  }
  const warnings: string[] = [];
  const enums = collectEnums(ts, scopes.values());
  const classes: [NamedClass, FileScope][] = [];
  for (const scope of scopes.values()) {
    for (const st of scope.sf.statements) {
      if (!ts.isClassDeclaration(st) || !st.name) continue;
      if (readDecorators(ts, scope, st).some((d) => d.name === "object"))
        classes.push([st as NamedClass, scope]);
    }
  }
  const objectNames = new Set(classes.map(([c]) => c.name.text));
  const exported = exportedClasses(ts, scopes, mod.entry);
  const objects: ObjectSignature[] = [];
  for (const [cls, scope] of classes) {
    const rel = path.relative(mod.rootDir, scope.file);
    if (objects.some((o) => o.name === cls.name.text)) {
      warnings.push(
        `${rel}: a second @object() class named ${cls.name.text} is ignored; give it another name`,
      );
      continue;
    }
    const ctx = { ts, scope, objects: objectNames, enums };
    objects.push(readClass(ctx, cls, exported.has(cls.name.text), rel, (m) => warnings.push(m)));
  }
  const entryShown = path.relative(mod.rootDir, mod.entry);
  const mainObject = pickMainObject(objects, mod.name, entryShown);
  const sig: ModuleSignature = {
    schema: MODULE_CACHE_SCHEMA,
    moduleName: mod.name,
    mainObject,
    objects,
    warnings,
  };
  const entryScope = scopes.get(mod.entry);
  const doc = entryScope ? readFileDoc(ts, entryScope.sf) : undefined;
  return doc ? { ...sig, doc } : sig;
}

// Reads a module's signatures from its source with the TypeScript parser, without running or type-checking it.
import path from "node:path";
import type * as TS from "typescript";
import type { ModuleLocation } from "../find-module.js";
import { readLibrarySources } from "../library-entry.js";
import { resolveLocalImport } from "../local-imports.js";
import { MODULE_CACHE_SCHEMA } from "../module-digest.js";
import { pickMainObject } from "../pick-main-object.js";
import { CORE_TYPES, type ModuleSignature, type ObjectSignature } from "../signature.js";
import type { FileScope } from "./file-scope.js";
import { inheritObjects, reachableLibrary } from "./inherit-objects.js";
import { parseFiles, readObjects } from "./read-objects.js";
import { readFileDoc } from "./read-docs.js";
import { ModuleError } from "../../errors.js";
import { loadTypeScript, loadTypeScriptParser, type TsApi } from "./ts-api.js";
import { findUnsupportedCalls } from "./unsupported-calls.js";
import { toCamelCase } from "../names.js";
import { collectTypeObjects, readTypeObject } from "./read-type-objects.js";

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

// The presets' signatures, with their own inheritance resolved; empty when the package does not ship them.
function readLibrary(ts: TsApi, warn: (m: string) => void): Map<string, ObjectSignature> {
  const lib = readLibrarySources();
  if (!lib) return new Map();
  const parsed = parseFiles(ts, lib.files, lib.dir);
  const { objects, inheritCtor } = readObjects(ts, parsed, {
    exported: new Set(),
    extraObjects: () => [],
    label: (f) => `gantry:${path.relative(lib.dir, f)}`,
    warn,
  });
  const byName = new Map(objects.map((o) => [o.name, o]));
  const full = inheritObjects(objects, byName, inheritCtor);
  return new Map(full.map((o) => [o.name, { ...o, library: true }]));
}

// Whether any file imports a name from the SDK that is not a decorator or a core type (it may be a preset).
function importsBeyondCore(scopes: Iterable<FileScope>): boolean {
  const core = new Set<string>([...CORE_TYPES, "object", "func", "field", "argument", "check"]);
  for (const scope of scopes) {
    for (const local of scope.sdkImports) {
      const name = scope.aliases.get(local) ?? local;
      if (!core.has(name) && /^[A-Z]/.test(name)) return true;
    }
  }
  return false;
}

// Names the module's own classes define: a call of one of them is the module's, not Dagger's.
function memberNames(ts: TsApi, scopes: Iterable<FileScope>): Set<string> {
  const names = new Set<string>();
  for (const scope of scopes) {
    const visit = (node: TS.Node): void => {
      if (ts.isClassElement(node) && node.name && ts.isIdentifier(node.name))
        names.add(node.name.text);
      ts.forEachChild(node, visit);
    };
    visit(scope.sf);
  }
  return names;
}

type IntrospectedModule = Pick<ModuleLocation, "name" | "rootDir" | "entry"> &
  Partial<Pick<ModuleLocation, "dependencies">>;

/**
 * The module's signature, from the local files collected for its digest (path → text, entry first). Read with the
 * parser-only slice of TypeScript when the build made one; anything but the module's own error (a syntax error, no
 * main object) from the slice — a path of the parser that needs a section the slice left out — is read again with
 * the whole of TypeScript. A slice that would answer differently without throwing is the build's to keep out
 * (slice-check.ts), not this function's.
 */
export async function introspectModule(
  mod: IntrospectedModule,
  files: ReadonlyMap<string, string>,
  parser: { ts: TsApi; isWhole: boolean } = loadTypeScriptParser(),
): Promise<ModuleSignature> {
  try {
    return introspectWith(parser.ts, mod, files);
  } catch (err) {
    if (parser.isWhole || err instanceof ModuleError) throw err;
    return introspectWith(loadTypeScript(), mod, files);
  }
}

/** The signature read with the given TypeScript (the whole package or its parser slice). */
export function introspectWith(
  ts: TsApi,
  mod: IntrospectedModule,
  files: ReadonlyMap<string, string>,
): ModuleSignature {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const parsed = parseFiles(ts, files, mod.rootDir);
  // the presets are parsed only when a file imports something that may be one
  const library = importsBeyondCore(parsed.scopes.values())
    ? readLibrary(ts, warn)
    : new Map<string, ObjectSignature>();
  const typeObjects = collectTypeObjects(ts, parsed.scopes.values());
  const own = readObjects(ts, parsed, {
    exported: exportedClasses(ts, parsed.scopes, mod.entry),
    extraObjects: (scope) =>
      [...scope.sdkImports]
        .map((local) => scope.aliases.get(local) ?? local)
        .filter((n) => library.has(n))
        .concat([...typeObjects.keys()]),
    label: (f) => path.relative(mod.rootDir, f),
    warn,
    warnUnknownTypes: true,
  });
  const byName = new Map([...library, ...own.objects.map((o) => [o.name, o] as const)]);
  const objects = inheritObjects(own.objects, byName, own.inheritCtor);
  const entryShown = path.relative(mod.rootDir, mod.entry);
  const mainObject = pickMainObject(objects, mod.name, entryShown);
  // exported type/interface shapes are objects too (fields only), never the main object
  const names = new Set([...objects.map((o) => o.name), ...typeObjects.keys()]);
  for (const [name, { decl, scope }] of typeObjects) {
    if (objects.some((o) => o.name === name)) continue;
    const ctx = { ts, scope, objects: names, enums: parsed.enums };
    objects.push(readTypeObject(ctx, decl, path.relative(mod.rootDir, scope.file)));
  }
  const ownNames = new Set(objects.map((o) => o.name));
  const used = reachableLibrary(objects, library).filter((o) => !ownNames.has(o.name));
  const unsupported = findUnsupportedCalls(ts, parsed.scopes.values(), {
    rootDir: mod.rootDir,
    mainObject,
    ownNames: memberNames(ts, parsed.scopes.values()),
    dependencies: new Set((mod.dependencies ?? []).map((d) => toCamelCase(d.name))),
  });
  const sig: ModuleSignature = {
    schema: MODULE_CACHE_SCHEMA,
    moduleName: mod.name,
    mainObject,
    objects: [...objects, ...used],
    warnings,
    ...(unsupported.length ? { unsupported } : {}),
  };
  const entryScope = parsed.scopes.get(mod.entry);
  const doc = entryScope ? readFileDoc(ts, entryScope.sf) : undefined;
  return doc ? { ...sig, doc } : sig;
}

// What a name means inside one file: which local names are the SDK's decorators and types, and which are aliases.
import type * as TS from "typescript";
import type { TsApi } from "./ts-api.js";

/** Module specifiers that mean "the SDK": Dagger's package, Gantry's own, and their subpaths. */
export function isSdkSpecifier(spec: string): boolean {
  return /^(@dagger\.io\/dagger|gantry)(\/.*)?$/.test(spec);
}

export interface FileScope {
  sf: TS.SourceFile;
  file: string;
  /** Local name → the name it was imported as (`import { Directory as Dir }` maps Dir → Directory). */
  aliases: Map<string, string>;
  /** Local names bound to the SDK itself (`import * as dagger from "@dagger.io/dagger"`). */
  sdkNamespaces: Set<string>;
  /** Relative module specifiers this file imports or re-exports from. */
  specifiers: string[];
  /** Local names imported by name from the SDK (`import { NodeToolchain } from "gantry"`). */
  sdkImports: Set<string>;
}

/** Collect a parsed file's imports once; every later lookup of a name goes through it. */
export function readFileScope(ts: TsApi, sf: TS.SourceFile): FileScope {
  const scope: FileScope = {
    sf,
    file: sf.fileName,
    aliases: new Map(),
    sdkNamespaces: new Set(),
    specifiers: [],
    sdkImports: new Set(),
  };
  for (const st of sf.statements) {
    const spec =
      (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) &&
      st.moduleSpecifier &&
      ts.isStringLiteral(st.moduleSpecifier)
        ? st.moduleSpecifier.text
        : undefined;
    if (spec === undefined) continue;
    if (spec.startsWith(".")) scope.specifiers.push(spec);
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const bindings = st.importClause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings) && isSdkSpecifier(spec)) {
      scope.sdkNamespaces.add(bindings.name.text);
    }
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) {
        scope.aliases.set(el.name.text, (el.propertyName ?? el.name).text);
        if (isSdkSpecifier(spec)) scope.sdkImports.add(el.name.text);
      }
    }
  }
  return scope;
}

/** The original name an identifier or `ns.Name` refers to in this file. */
export function resolveName(ts: TsApi, scope: FileScope, node: TS.Node): string | undefined {
  if (ts.isIdentifier(node)) return scope.aliases.get(node.text) ?? node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isQualifiedName(node)) return node.right.text;
  return undefined;
}

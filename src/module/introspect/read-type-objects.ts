// Exported `type X = { … }` and `interface X { … }` are object types in Dagger's TypeScript SDK: a function may
// return one (or a list of them), and the CLI chains into its fields (`gantry call members url`).
import type * as TS from "typescript";
import type { FunctionSignature, ObjectSignature } from "../signature.js";
import type { FileScope } from "./file-scope.js";
import { readDoc } from "./read-docs.js";
import { readType, type TypeContext } from "./read-type.js";
import type { TsApi } from "./ts-api.js";

type Shape = TS.TypeAliasDeclaration | TS.InterfaceDeclaration;

/** The exported object-shaped type aliases and interfaces of the module's files, by name. */
export function collectTypeObjects(
  ts: TsApi,
  scopes: Iterable<FileScope>,
): Map<string, { decl: Shape; scope: FileScope }> {
  const out = new Map<string, { decl: Shape; scope: FileScope }>();
  for (const scope of scopes) {
    for (const st of scope.sf.statements) {
      const exported = (st as TS.HasModifiers).modifiers?.some(
        (m) => m.kind === ts.SyntaxKind.ExportKeyword,
      );
      if (!exported) continue;
      if (
        ts.isInterfaceDeclaration(st) ||
        (ts.isTypeAliasDeclaration(st) && ts.isTypeLiteralNode(st.type))
      )
        out.set(st.name.text, { decl: st, scope });
    }
  }
  return out;
}

/** The type as an object whose properties are fields (read, never called). */
export function readTypeObject(ctx: TypeContext, decl: Shape, file: string): ObjectSignature {
  const { ts } = ctx;
  const members = ts.isInterfaceDeclaration(decl)
    ? decl.members
    : (decl.type as TS.TypeLiteralNode).members;
  const functions: FunctionSignature[] = [];
  for (const m of members) {
    if (!ts.isPropertySignature(m) || !m.name || !ts.isIdentifier(m.name)) continue;
    const fn: FunctionSignature = {
      name: m.name.text,
      kind: "field",
      params: [],
      returns: m.type ? readType(ctx, m.type) : { kind: "unknown", text: "unknown" },
    };
    const doc = readDoc(ts, m);
    if (doc) fn.doc = doc;
    functions.push(fn);
  }
  const obj: ObjectSignature = {
    name: decl.name.text,
    exported: true,
    constructorParams: [],
    functions,
    file,
    shape: "type",
  };
  const doc = readDoc(ts, decl);
  if (doc) obj.doc = doc;
  return obj;
}

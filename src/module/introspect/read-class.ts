// Turns one @object() class into its signature: constructor flags, functions, fields and their docs.
import type * as TS from "typescript";
import { ModuleError } from "../../errors.js";
import {
  CORE_TYPES,
  type FunctionSignature,
  type ObjectSignature,
  type ParamSignature,
  type TypeRef,
} from "../signature.js";
import { suggestion } from "../names.js";
import { readArgumentOptions, readDecorators, literalString } from "./read-decorators.js";
import { readDoc, readParamDoc } from "./read-docs.js";
import { resolveName } from "./file-scope.js";
import { inferType, readType, type TypeContext } from "./read-type.js";
import type { TsApi } from "./ts-api.js";

// One parameter; `warn` collects what Gantry cannot expose (destructuring, rest parameters).
function readParam(
  ctx: TypeContext,
  p: TS.ParameterDeclaration,
  owner: string,
  file: string,
  warn: (m: string) => void,
): ParamSignature | undefined {
  const { ts } = ctx;
  if (!ts.isIdentifier(p.name)) {
    warn(
      `${owner}: parameter ${p.name.getText(ctx.scope.sf)} is destructured, which the CLI cannot pass; it is left out`,
    );
    return undefined;
  }
  const structural = p.type ? structuralType(ts, p.type) : undefined;
  if (structural && p.type) {
    // passed on as the flag's text, such a parameter would get a string where the code expects an object
    const { line, character } = ctx.scope.sf.getLineAndCharacterOfPosition(
      p.type.getStart(ctx.scope.sf),
    );
    throw new ModuleError(
      `${file}:${line + 1}:${character + 1}: parameter ${p.name.text} of ${owner} has ${structural} ` +
        `(${p.type.getText(ctx.scope.sf)}), which cannot be given as a function argument`,
      {
        hint: `give it one of the supported types (${SUPPORTED}), or make each field its own parameter`,
      },
    );
  }
  // `...args: string[]` is a list flag, as in Dagger: given zero or more times, spread into the call.
  const rest = p.dotDotDotToken !== undefined;
  const type = p.type
    ? readType(ctx, p.type)
    : rest
      ? ({ kind: "list", of: { kind: "string" } } as const)
      : inferType(ctx, p.initializer);
  if (ctx.warnUnknownTypes && p.type && !ctx.ts.isConstructorDeclaration(p.parent))
    warnUnknownType(ctx, p, type, `${owner}: parameter ${p.name.text}`, warn);
  const sig: ParamSignature = {
    name: p.name.text,
    type,
    optional: rest || p.questionToken !== undefined || p.initializer !== undefined,
  };
  if (rest) sig.variadic = true;
  if (p.initializer) sig.default = p.initializer.getText(ctx.scope.sf);
  const doc = readParamDoc(ts, p);
  if (doc) sig.doc = doc;
  for (const dec of readDecorators(ts, ctx.scope, p)) {
    if (dec.name !== "argument") continue;
    const opts = readArgumentOptions(ts, dec);
    if (opts.defaultPath !== undefined) sig.defaultPath = opts.defaultPath;
    if (opts.ignore !== undefined) sig.ignore = opts.ignore;
  }
  return sig;
}

/** Written types that knowingly take anything: passed the flag's text, as said in modules.md, without a warning. */
const ANY_TYPES = new Set(["any", "unknown", "object", "Object"]);

// A function parameter typed with a name Gantry cannot see (misspelt, or a type from another package) gets the flag's
// text as a string while its code expects something else: said once per read, with the closest known type (Dagger
// refuses such a module; Gantry runs it, as before, but not silently). Known, so silent: the SDK's own names (its
// scalars and enums, such as Platform, are strings), the module's declared types, the method's and class's type
// parameters. Constructor parameters are left out: only the main object's are flags, and a helper object's are not.
function warnUnknownType(
  ctx: TypeContext,
  p: TS.ParameterDeclaration,
  type: TypeRef,
  what: string,
  warn: (m: string) => void,
): void {
  const t = type.kind === "list" ? type.of : type;
  if (t.kind !== "unknown" || ANY_TYPES.has(t.text)) return;
  const m = /^([A-Za-z_$][\w$]*)(\.[A-Za-z_$][\w$]*)*(<.*>)?$/.exec(t.text);
  if (!m) return;
  const head = m[1]!;
  const sdkName = ctx.scope.sdkImports.has(head) || ctx.scope.sdkNamespaces.has(head);
  const generic = [p.parent, p.parent.parent].some((d) =>
    (d as { typeParameters?: TS.NodeArray<TS.TypeParameterDeclaration> }).typeParameters?.some(
      (tp) => tp.name.text === head,
    ),
  );
  const declared = ctx.warnUnknownTypes?.declared.has(ctx.scope.aliases.get(head) ?? head);
  if (sdkName || generic || declared) return;
  const known = [...CORE_TYPES, ...ctx.objects, ...ctx.enums.keys()];
  warn(
    `${what} has type ${t.text}, which Gantry does not know (not a core type, an @object() class, an enum or a type of this module), so it is given the flag's text as a string.${suggestion(t.text.replace(/<.*$/, ""), known)}`,
  );
}

const SUPPORTED =
  "string, number, boolean, an enum or string-literal union, a list of these, Directory, File, Secret, " +
  "Service, Container, CacheVolume, or an @object() class of the module";

// The kind of a written type that has no CLI form (an object literal, a tuple, a function…), looking
// through lists, unions and type arguments; undefined when the type is fine.
function structuralType(ts: TsApi, node: TS.TypeNode): string | undefined {
  if (ts.isTypeLiteralNode(node) || ts.isMappedTypeNode(node)) return "an object literal type";
  if (ts.isTupleTypeNode(node)) return "a tuple type";
  if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node)) return "a function type";
  if (ts.isIntersectionTypeNode(node)) return "an intersection type";
  const inner: readonly TS.TypeNode[] = ts.isArrayTypeNode(node)
    ? [node.elementType]
    : ts.isParenthesizedTypeNode(node) || ts.isTypeOperatorNode(node)
      ? [node.type]
      : ts.isUnionTypeNode(node)
        ? node.types
        : ts.isTypeReferenceNode(node)
          ? (node.typeArguments ?? [])
          : [];
  for (const t of inner) {
    const found = structuralType(ts, t);
    if (found) return found;
  }
  return undefined;
}

// Parameters of a method or constructor, in order (the call passes them by position).
function readParams(
  ctx: TypeContext,
  params: readonly TS.ParameterDeclaration[],
  owner: string,
  file: string,
  warn: (m: string) => void,
): ParamSignature[] {
  return params.map((p) => readParam(ctx, p, owner, file, warn)).filter((p) => p !== undefined);
}

/** The signature of a class already known to carry @object(). */
export function readClass(
  ctx: TypeContext,
  cls: TS.ClassDeclaration & { name: TS.Identifier },
  exported: boolean,
  file: string,
  warn: (m: string) => void,
): ObjectSignature {
  const { ts } = ctx;
  const name = cls.name.text;
  const obj: ObjectSignature = { name, exported, constructorParams: [], functions: [], file };
  const doc = readDoc(ts, cls);
  if (doc) obj.doc = doc;
  const base = baseClassName(ctx, cls);
  if (base !== undefined) obj.extends = base;
  for (const member of cls.members) {
    if (ts.isConstructorDeclaration(member)) {
      obj.constructorParams = readParams(ctx, member.parameters, `${name} constructor`, file, warn);
      continue;
    }
    const decorators = readDecorators(ts, ctx.scope, member);
    const marker = decorators.find((d) => d.name === "func" || d.name === "field");
    const isCheck = decorators.some((d) => d.name === "check");
    // `@check()` alone also exposes the function: a check must be callable to be run
    if ((!marker && !isCheck) || !member.name || !ts.isIdentifier(member.name)) continue;
    const fn: FunctionSignature = {
      name: member.name.text,
      kind: ts.isMethodDeclaration(member) ? "method" : "field",
      params: [],
      returns: { kind: "unknown", text: "unknown" },
    };
    const alias = literalString(ts, marker?.args[0]);
    if (alias) fn.alias = alias;
    if (isCheck) fn.check = true;
    const fnDoc = readDoc(ts, member);
    if (fnDoc) fn.doc = fnDoc;
    if (ts.isMethodDeclaration(member)) {
      fn.params = readParams(ctx, member.parameters, `${name}.${fn.name}`, file, warn);
      if (member.type) fn.returns = readType(ctx, member.type);
    } else if (ts.isPropertyDeclaration(member)) {
      fn.returns = member.type ? readType(ctx, member.type) : inferType(ctx, member.initializer);
    } else {
      continue;
    }
    obj.functions.push(fn);
  }
  return obj;
}

/** The name of the class a class extends (`class A extends B`, `extends ns.B`), as imported. */
export function baseClassName(ctx: TypeContext, cls: TS.ClassDeclaration): string | undefined {
  const { ts } = ctx;
  const clause = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const expr = clause?.types[0]?.expression;
  return expr ? resolveName(ts, ctx.scope, expr) : undefined;
}

/** Whether a class declares its own constructor (else it takes its base class's parameters). */
export function hasOwnConstructor(ts: TsApi, cls: TS.ClassDeclaration): boolean {
  return cls.members.some((m) => ts.isConstructorDeclaration(m));
}

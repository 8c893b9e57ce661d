// Maps a parameter's or result's written type to what the CLI can convert and chain on.
import type * as TS from "typescript";
import { CORE_TYPES, type CoreTypeName, type TypeRef } from "../signature.js";
import { resolveName, type FileScope } from "./file-scope.js";
import type { TsApi } from "./ts-api.js";

export interface TypeContext {
  ts: TsApi;
  scope: FileScope;
  /** Names of the module's @object() classes. */
  objects: ReadonlySet<string>;
  /** The module's enums by name. */
  enums: ReadonlyMap<string, { name: string; value: string }[]>;
  /**
   * Warn about a function parameter whose written type names nothing Gantry knows (the module's own classes, not
   * the presets): every type name the module's files declare (aliases, interfaces, classes, enums) is known.
   */
  warnUnknownTypes?: { declared: ReadonlySet<string> };
}

// Types written as `T | undefined` or `T | null` mean an optional T on the CLI.
function withoutNullish(ts: TsApi, types: readonly TS.TypeNode[]): TS.TypeNode[] {
  return types.filter(
    (t) =>
      t.kind !== ts.SyntaxKind.UndefinedKeyword &&
      !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
  );
}

// A type named by reference: Promise<…>, arrays, SDK types, the module's own objects and enums.
function readReference(ctx: TypeContext, node: TS.TypeReferenceNode): TypeRef {
  const name = resolveName(ctx.ts, ctx.scope, node.typeName) ?? node.typeName.getText(ctx.scope.sf);
  const arg = node.typeArguments?.[0];
  if ((name === "Promise" || name === "PromiseLike") && arg) return readType(ctx, arg);
  if ((name === "Array" || name === "ReadonlyArray") && arg)
    return { kind: "list", of: readType(ctx, arg) };
  if ((CORE_TYPES as readonly string[]).includes(name))
    return { kind: "core", name: name as CoreTypeName };
  if (ctx.objects.has(name)) return { kind: "object", name };
  const members = ctx.enums.get(name);
  if (members) return { kind: "enum", name, members };
  return { kind: "unknown", text: node.getText(ctx.scope.sf) };
}

/** The TypeRef of a written type; anything unmapped keeps its source text. */
export function readType(ctx: TypeContext, node: TS.TypeNode): TypeRef {
  const { ts } = ctx;
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: "string" };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "number" };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "boolean" };
    case ts.SyntaxKind.VoidKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
      return { kind: "void" };
  }
  if (ts.isArrayTypeNode(node)) return { kind: "list", of: readType(ctx, node.elementType) };
  if (ts.isParenthesizedTypeNode(node) || ts.isTypeOperatorNode(node))
    return readType(ctx, node.type);
  if (ts.isTypeReferenceNode(node)) return readReference(ctx, node);
  if (ts.isUnionTypeNode(node)) {
    const rest = withoutNullish(ts, node.types);
    if (rest.length === 1 && rest[0]) return readType(ctx, rest[0]);
    const literals = rest.map((t) =>
      ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined,
    );
    if (rest.length > 0 && literals.every((l) => l !== undefined)) {
      const members = (literals as string[]).map((v) => ({ name: v, value: v }));
      return { kind: "enum", name: node.getText(ctx.scope.sf), members };
    }
  }
  return { kind: "unknown", text: node.getText(ctx.scope.sf) };
}

/** A type for an unannotated parameter, read from its default value (`= "x"`, `= 3`, `= Level.Info`). */
export function inferType(ctx: TypeContext, init: TS.Expression | undefined): TypeRef {
  const { ts } = ctx;
  if (!init) return { kind: "unknown", text: "unknown" };
  if (
    ts.isStringLiteral(init) ||
    ts.isNoSubstitutionTemplateLiteral(init) ||
    ts.isTemplateExpression(init)
  ) {
    return { kind: "string" };
  }
  if (
    ts.isNumericLiteral(init) ||
    (ts.isPrefixUnaryExpression(init) && ts.isNumericLiteral(init.operand))
  ) {
    return { kind: "number" };
  }
  if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) {
    return { kind: "boolean" };
  }
  if (ts.isArrayLiteralExpression(init)) {
    const first = init.elements[0];
    return { kind: "list", of: first ? inferType(ctx, first) : { kind: "string" } };
  }
  if (ts.isPropertyAccessExpression(init) && ts.isIdentifier(init.expression)) {
    const name = resolveName(ts, ctx.scope, init.expression) ?? init.expression.text;
    const members = ctx.enums.get(name);
    if (members) return { kind: "enum", name, members };
  }
  return { kind: "unknown", text: init.getText(ctx.scope.sf) };
}

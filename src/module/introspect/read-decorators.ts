// Decorators are how a module marks what the CLI exposes; this reads them without running the code.
import type * as TS from "typescript";
import type { FileScope } from "./file-scope.js";
import { resolveName } from "./file-scope.js";
import type { TsApi } from "./ts-api.js";

export type DecoratorName = "object" | "func" | "argument" | "field" | "enumType" | "check";
const KNOWN: readonly string[] = ["object", "func", "argument", "field", "enumType", "check"];

export interface FoundDecorator {
  name: DecoratorName;
  args: readonly TS.Expression[];
}

/** The SDK decorators on a node (`@func()`, `@dagger.object()`, aliases resolved). */
export function readDecorators(ts: TsApi, scope: FileScope, node: TS.Node): FoundDecorator[] {
  const decorators = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
  const out: FoundDecorator[] = [];
  for (const d of decorators) {
    const expr = d.expression;
    const callee = ts.isCallExpression(expr) ? expr.expression : expr;
    const name = resolveName(ts, scope, callee);
    if (name !== undefined && KNOWN.includes(name)) {
      out.push({
        name: name as DecoratorName,
        args: ts.isCallExpression(expr) ? expr.arguments : [],
      });
    }
  }
  return out;
}

/** A string literal's value, or undefined for anything computed. */
export function literalString(ts: TsApi, node: TS.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;
}

/** `@argument({ defaultPath: "/", ignore: ["node_modules"] })` → its options, literals only. */
export function readArgumentOptions(
  ts: TsApi,
  dec: FoundDecorator,
): { defaultPath?: string; ignore?: string[] } {
  const arg = dec.args[0];
  const out: { defaultPath?: string; ignore?: string[] } = {};
  if (!arg || !ts.isObjectLiteralExpression(arg)) return out;
  for (const prop of arg.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name)) continue;
    if (prop.name.text === "defaultPath") {
      const v = literalString(ts, prop.initializer);
      if (v !== undefined) out.defaultPath = v;
    } else if (prop.name.text === "ignore" && ts.isArrayLiteralExpression(prop.initializer)) {
      out.ignore = prop.initializer.elements
        .map((e) => literalString(ts, e))
        .filter((v): v is string => v !== undefined);
    }
  }
  return out;
}

// Enum arguments take one of a fixed set of values; the CLI checks the value before anything runs.
import type { FileScope } from "./file-scope.js";
import { literalString, readDecorators } from "./read-decorators.js";
import type { TsApi } from "./ts-api.js";

export type EnumMembers = { name: string; value: string }[];

/** Every `enum` and `@enumType()` class in the module's files, by name. */
export function collectEnums(ts: TsApi, scopes: Iterable<FileScope>): Map<string, EnumMembers> {
  const enums = new Map<string, EnumMembers>();
  for (const scope of scopes) {
    for (const st of scope.sf.statements) {
      if (ts.isEnumDeclaration(st)) {
        enums.set(
          st.name.text,
          st.members.map((m) => {
            const name = m.name.getText(scope.sf).replace(/^["']|["']$/g, "");
            return { name, value: literalString(ts, m.initializer) ?? name };
          }),
        );
      } else if (
        ts.isClassDeclaration(st) &&
        st.name &&
        readDecorators(ts, scope, st).some((d) => d.name === "enumType")
      ) {
        const members: EnumMembers = [];
        for (const m of st.members) {
          if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
          const value = literalString(ts, m.initializer);
          if (value !== undefined) members.push({ name: m.name.text, value });
        }
        enums.set(st.name.text, members);
      }
    }
  }
  return enums;
}

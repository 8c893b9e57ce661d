// Doc comments are the help text of functions and flags; Dagger reads the same comments.
import type * as TS from "typescript";
import type { TsApi } from "./ts-api.js";

// JSDoc text with the comment's own line breaks kept and surrounding blank space removed.
function clean(text: string | undefined): string | undefined {
  const t = text?.replace(/\r\n/g, "\n").trim();
  return t ? t : undefined;
}

/** The doc comment above a class, method, property or parameter (its text, not its tags). */
export function readDoc(ts: TsApi, node: TS.Node): string | undefined {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const last = docs[docs.length - 1];
  return last ? clean(ts.getTextOfJSDocComment(last.comment)) : undefined;
}

/** A parameter's doc: a comment on the parameter itself, else the function's `@param name …` tag. */
export function readParamDoc(ts: TsApi, param: TS.ParameterDeclaration): string | undefined {
  const own = readDoc(ts, param);
  if (own) return own;
  for (const tag of ts.getJSDocParameterTags(param)) {
    const text = clean(ts.getTextOfJSDocComment(tag.comment))?.replace(/^-\s*/, "");
    if (text) return text;
  }
  return undefined;
}

/** The entry file's leading doc comment, which Dagger shows as the module's description. */
export function readFileDoc(ts: TsApi, sf: TS.SourceFile): string | undefined {
  const first = sf.statements[0];
  if (!first || ts.isClassDeclaration(first)) return undefined;
  return readDoc(ts, first);
}

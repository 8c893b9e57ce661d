// typescript.js cut down to what reading a module's signature needs: its parser (docs/design-notes/performance.md,
// Decision 17). Made by `npm run build` (scripts/typescript-code-cache.mjs) from the typescript installed then, and
// checked there (slice-check.ts), never committed; introspection loads the whole of typescript.js instead when the
// slice is absent, fails to load, is of another typescript than the one installed, or throws while reading.

/** Where typescript.js' parser section ends: the section that follows it. */
const AFTER_PARSER = "// src/compiler/commandLineParser.ts";
/** The bundle's last section (it sets Debug's logging host), then the export-name annotation and the closing line. */
const LAST_SECTION = "// src/typescript/typescript.ts";
const ANNOTATION = "// Annotate the CommonJS export names";
const CLOSING = "})({ get exports() {";
/** The export list at the top: `  name: () => name,` for each of typescript's ~2,240 exports. */
const EXPORT_ENTRY = /^ {2}([A-Za-z_$][\w$]*): \(\) => ([A-Za-z_$][\w$]*),?$/;

/** Functions of the kept sections the appendix below calls. */
const APPENDIX_NEEDS = [
  "objectAllocator",
  "setObjectAllocator",
  "idText",
  "getTokenPosOfNode",
  "getSourceFileOfNode",
  "getLineAndCharacterOfPosition",
];

/**
 * What services.ts (not in the slice) gives the parser's nodes and Gantry's introspection uses: an identifier's
 * `text`, `getStart`/`getEnd`/`getText`/`getSourceFile` on every node, a source file's
 * `getLineAndCharacterOfPosition` — written as services.ts writes them (IdentifierObject, NodeObject,
 * SourceFileObject), on the compiler's own node constructors.
 */
const APPENDIX = `
// Appended by Gantry (src/module/introspect/typescript-slice.ts): what services.ts gives nodes, for a parser alone.
(() => {
  const NodeCtor = objectAllocator.getNodeConstructor();
  function PrivateIdentifierNode(kind, pos, end) { NodeCtor.call(this, kind, pos, end); }
  PrivateIdentifierNode.prototype = Object.create(NodeCtor.prototype);
  const text = { get() { return idText(this); }, configurable: true };
  Object.defineProperty(objectAllocator.getIdentifierConstructor().prototype, "text", text);
  Object.defineProperty(PrivateIdentifierNode.prototype, "text", text);
  setObjectAllocator({ getPrivateIdentifierConstructor: () => PrivateIdentifierNode });
  const methods = {
    getSourceFile() { return getSourceFileOfNode(this); },
    getStart(sourceFile, includeJsDocComment) { return getTokenPosOfNode(this, sourceFile, includeJsDocComment); },
    getEnd() { return this.end; },
    getText(sourceFile) { return (sourceFile || this.getSourceFile()).text.substring(this.getStart(sourceFile), this.getEnd()); },
    getLineAndCharacterOfPosition(position) { return getLineAndCharacterOfPosition(this, position); },
  };
  for (const C of [NodeCtor, objectAllocator.getTokenConstructor(), objectAllocator.getIdentifierConstructor()])
    Object.assign(C.prototype, methods);
})();

`;

/**
 * The parser-only slice of typescript.js' text: its sections up to and including `src/compiler/parser.ts`, the
 * appendix above, its last section and closing line; the export list keeps only names the kept code mentions.
 * Undefined when the text is not laid out as expected (another typescript: the caller then ships none).
 */
export function typescriptParserSlice(source: string): string | undefined {
  const lines = source.split("\n");
  const cut = lines.indexOf(AFTER_PARSER);
  const last = lines.lastIndexOf(LAST_SECTION);
  const annotation = lines.findIndex((l, i) => i > last && l.startsWith(ANNOTATION));
  const closing = lines.findIndex((l, i) => i > annotation && l.startsWith(CLOSING));
  if (
    cut < 0 ||
    !lines.includes("// src/compiler/parser.ts") ||
    last <= cut ||
    annotation < 0 ||
    closing < 0
  )
    return undefined;
  const exportStart = lines.findIndex((l) => l.startsWith("__export(typescript_exports, {"));
  const exportEnd = lines.findIndex((l, i) => i > exportStart && l === "});");
  if (exportStart < 0 || exportEnd < 0 || exportEnd > cut) return undefined;
  const body = [...lines.slice(exportEnd, cut), APPENDIX, ...lines.slice(last, annotation)];
  const declared = new Set(
    [
      ...body
        .join("\n")
        .matchAll(/^(?:async )?(?:function\*? |var |let |const |class )([A-Za-z_$][\w$]*)/gm),
    ].map((m) => m[1]),
  );
  if (!APPENDIX_NEEDS.every((n) => declared.has(n))) return undefined;
  // an export whose name the kept code never mentions would throw on access anyway (~630 of them; a few that are
  // mentioned but declared only in a dropped section stay, and throw on access); defining a getter costs
  const mentioned = new Set(body.join("\n").match(/[A-Za-z_$][\w$]*/g));
  const exports = lines.slice(exportStart + 1, exportEnd).filter((l) => {
    const m = EXPORT_ENTRY.exec(l);
    return !m || mentioned.has(m[2]!);
  });
  return [...lines.slice(0, exportStart + 1), ...exports, ...body, lines[closing], ""].join("\n");
}

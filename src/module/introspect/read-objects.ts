// Parses a set of files and reads their @object() classes: the module's own files, or the presets Gantry ships.
import path from "node:path";
import type * as TS from "typescript";
import { ModuleError } from "../../errors.js";
import type { ObjectSignature } from "../signature.js";
import { collectEnums, type EnumMembers } from "./collect-enums.js";
import { readFileScope, type FileScope } from "./file-scope.js";
import { hasOwnConstructor, readClass } from "./read-class.js";
import { readDecorators } from "./read-decorators.js";
import type { TsApi } from "./ts-api.js";

type NamedClass = TS.ClassDeclaration & { name: TS.Identifier };

export interface ParsedFiles {
  scopes: Map<string, FileScope>;
  classes: [NamedClass, FileScope][];
  enums: Map<string, EnumMembers>;
}

export interface ReadObjects {
  objects: ObjectSignature[];
  /** Names of the classes that declare no constructor (they take their base class's parameters). */
  inheritCtor: Set<string>;
}

// Parse errors stop introspection with file:line:col, the same shape esbuild's errors take.
function assertParsed(sf: TS.SourceFile, shown: string): void {
  const diags = (sf as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  const first = diags[0];
  if (!first) return;
  const { line, character } = sf.getLineAndCharacterOfPosition(first.start ?? 0);
  const msg = flatten(first.messageText).replace(/\.$/, "");
  throw new ModuleError(`${shown}:${line + 1}:${character + 1}: ${msg}: fix the syntax error`);
}

// A diagnostic's message with its chain, as ts.flattenDiagnosticMessageText(text, "\n") writes it; that function is
// in program.ts, which the parser-only slice leaves out (a parse error's message is a plain string).
function flatten(text: string | TS.DiagnosticMessageChain | undefined, indent = 0): string {
  if (typeof text === "string") return text;
  if (text === undefined) return "";
  let out = indent ? `\n${"  ".repeat(indent)}` : "";
  out += text.messageText;
  for (const next of text.next ?? []) out += flatten(next, indent + 1);
  return out;
}

/** Parse the TypeScript files and find the classes decorated @object(). */
export function parseFiles(
  ts: TsApi,
  files: ReadonlyMap<string, string>,
  rootDir: string,
): ParsedFiles {
  const scopes = new Map<string, FileScope>();
  for (const [file, text] of files) {
    if (!/\.[cm]?tsx?$/.test(file)) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    assertParsed(sf, path.relative(rootDir, file));
    scopes.set(file, readFileScope(ts, sf));
  }
  const classes: [NamedClass, FileScope][] = [];
  for (const scope of scopes.values()) {
    for (const st of scope.sf.statements) {
      if (!ts.isClassDeclaration(st) || !st.name) continue;
      if (readDecorators(ts, scope, st).some((d) => d.name === "object"))
        classes.push([st as NamedClass, scope]);
    }
  }
  return { scopes, classes, enums: collectEnums(ts, scopes.values()) };
}

/**
 * The signatures of the parsed classes. `extraObjects(scope)` names further object classes a file may refer to
 * (the presets it imports from the SDK); `label` turns a file into the `file` a signature records.
 */
export function readObjects(
  ts: TsApi,
  parsed: ParsedFiles,
  opts: {
    exported: ReadonlySet<string>;
    extraObjects: (scope: FileScope) => Iterable<string>;
    label: (file: string) => string;
    warn: (m: string) => void;
    /** Warn about parameters typed with a name Gantry does not know (the module's own code; not the presets). */
    warnUnknownTypes?: boolean;
  },
): ReadObjects {
  const own = new Set(parsed.classes.map(([c]) => c.name.text));
  const declared = opts.warnUnknownTypes ? declaredTypeNames(ts, parsed) : undefined;
  const objects: ObjectSignature[] = [];
  const inheritCtor = new Set<string>();
  for (const [cls, scope] of parsed.classes) {
    const rel = opts.label(scope.file);
    if (objects.some((o) => o.name === cls.name.text)) {
      opts.warn(
        `${rel}: a second @object() class named ${cls.name.text} is ignored; give it another name`,
      );
      continue;
    }
    const names = new Set([...own, ...opts.extraObjects(scope)]);
    const ctx = {
      ts,
      scope,
      objects: names,
      enums: parsed.enums,
      ...(declared ? { warnUnknownTypes: { declared } } : {}),
    };
    const sig = readClass(ctx, cls, opts.exported.has(cls.name.text), rel, opts.warn);
    objects.push(sig);
    if (sig.extends !== undefined && !hasOwnConstructor(ts, cls)) inheritCtor.add(sig.name);
  }
  return { objects, inheritCtor };
}

// Every type name the module's files declare at their top level (type aliases, interfaces, classes, enums): a
// parameter typed with one of them is the module's own choice, not a misspelling.
function declaredTypeNames(ts: TsApi, parsed: ParsedFiles): Set<string> {
  const names = new Set<string>();
  for (const scope of parsed.scopes.values()) {
    for (const st of scope.sf.statements) {
      if (
        (ts.isTypeAliasDeclaration(st) ||
          ts.isInterfaceDeclaration(st) ||
          ts.isClassDeclaration(st) ||
          ts.isEnumDeclaration(st)) &&
        st.name
      )
        names.add(st.name.text);
    }
  }
  return names;
}

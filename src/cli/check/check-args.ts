// `gantry check [PATTERN…] [--skip P] [--failfast] [-l] [constructor flags]`, read before anything runs.
import { suggestion, toKebabCase } from "../../module/names.js";
import { UsageError } from "../../errors.js";
import { globMatcher } from "../../store/glob.js";
import { parseFlags, type FlagTarget, type UnknownFlagHook } from "../../module/parse-flags.js";

export interface CheckArgs {
  patterns: string[];
  skip: string[];
  failfast: boolean;
  list: boolean;
  help: boolean;
}

/** Split the words after `check` into its own flags, patterns, and the constructor's flags (into `ctor`). */
export function parseCheckArgs(
  tokens: readonly string[],
  ctor: FlagTarget,
  onUnknown: UnknownFlagHook,
): CheckArgs {
  const out: CheckArgs = { patterns: [], skip: [], failfast: false, list: false, help: false };
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i] as string;
    if (tok === "--failfast" || tok === "--fail-fast") out.failfast = true;
    else if (tok === "-l" || tok === "--list") out.list = true;
    else if (tok === "--skip" || tok.startsWith("--skip=")) {
      const v = tok === "--skip" ? tokens[++i] : tok.slice("--skip=".length);
      if (v === undefined || v === "") throw new UsageError("--skip needs a pattern: --skip=lint");
      out.skip.push(...v.split(","));
    } else if (!tok.startsWith("-")) out.patterns.push(tok);
    else {
      const r = parseCheckFlags(tokens, i, ctor, onUnknown);
      out.help ||= r.help;
      i = r.next;
      continue;
    }
    i++;
  }
  return out;
}

// The constructor's flags at `i`; an unknown one is named with check's own flags too (check takes more than them).
function parseCheckFlags(
  tokens: readonly string[],
  i: number,
  ctor: FlagTarget,
  onUnknown: UnknownFlagHook,
): ReturnType<typeof parseFlags> {
  try {
    return parseFlags(tokens, i, [ctor], { onUnknown });
  } catch (e) {
    const m = e instanceof UsageError ? /^unknown flag (\S+) for /.exec(e.message) : null;
    if (!m) throw e;
    const own = "PATTERN…, --skip PATTERN, --failfast, -l";
    const ctorNames = ctor.params.map((p) => toKebabCase(p.name));
    const ctorFlags = ctorNames.map((n) => `--${n}`);
    const typed = (m[1] ?? "").replace(/^-+/, "");
    throw new UsageError(
      `unknown flag ${m[1]} for gantry check: it takes ${own}${ctorFlags.length ? `, and ${ctor.owner}'s constructor flags ${ctorFlags.join(", ")}` : ""}.` +
        suggestion(typed, [...ctorNames, "skip", "failfast", "list"], "--"),
      { hint: "gantry check --help" },
    );
  }
}

/** The checks the patterns select (all when none), minus those --skip names; a pattern matching nothing is an error. */
export function selectChecks(names: readonly string[], args: CheckArgs): string[] {
  const matches = (pattern: string) => globMatcher(pattern, { nocase: true });
  let selected = [...names];
  if (args.patterns.length > 0) {
    for (const p of args.patterns) {
      if (!names.some((n) => matches(p)(n))) {
        throw new UsageError(
          `no check matches "${p}": the module's checks are ${names.join(", ") || "(none)"}.${suggestion(p, names)}`,
        );
      }
    }
    selected = names.filter((n) => args.patterns.some((p) => matches(p)(n)));
  }
  return selected.filter((n) => !args.skip.some((p) => matches(p)(n)));
}

// `ci --env=NAME`: a named environment is a set of variables every task of the run sees.
import { UsageError, type Directory } from "../../sdk/index.js";

const NAME = /^[A-Za-z0-9][\w.-]*$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=VALUE` lines of a dotenv file: `#` comments, blank lines, `export `, single or double quotes. */
export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1] || !KEY.test(m[1])) {
      throw new UsageError(`${file}:${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`);
    }
    let value = m[2] ?? "";
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    } else value = value.replace(/\s+#.*$/, "");
    out[m[1]] = value;
  });
  return out;
}

/**
 * The variables of environment `name`: the module's `environments[name]` over the project's `.env.<name>` file
 * (the module wins), plus `GANTRY_ENV=<name>`. Neither defined is a usage error that lists the ones that are.
 */
export async function environmentVars(
  source: Directory,
  defined: Readonly<Record<string, Record<string, string>>> | undefined,
  name: string,
): Promise<Record<string, string>> {
  if (!NAME.test(name))
    throw new UsageError(
      `--env must name an environment (letters, digits, . _ -), got ${JSON.stringify(name)}`,
    );
  const entries = await source.entries();
  const file = `.env.${name}`;
  const fromFile = entries.includes(file)
    ? parseDotenv(await source.file(file).contents(), file)
    : undefined;
  const fromModule = defined?.[name];
  if (!fromFile && !fromModule) {
    const known = [
      ...new Set([
        ...Object.keys(defined ?? {}),
        ...entries.filter((e) => /^\.env\.[^.]/.test(e)).map((e) => e.slice(5)),
      ]),
    ].sort();
    throw new UsageError(
      `no environment "${name}": neither a .env.${name} file at the project's top nor environments.${name} in the module`,
      {
        hint:
          known.length > 0
            ? `known environments: ${known.join(", ")}`
            : `create .env.${name} (KEY=VALUE lines)`,
      },
    );
  }
  return { ...fromFile, ...fromModule, GANTRY_ENV: name };
}

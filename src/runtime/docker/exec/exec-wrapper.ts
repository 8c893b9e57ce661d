// Docker keeps a container's Env in every image committed from it (`container_config`), so secret variables
// never go in Env: a /bin/sh wrapper reads them from stdin, and unsets the image variables the pipeline removed.
import { randomBytes } from "node:crypto";
import { UsageError } from "../../../errors.js";

export interface ExecWrapper {
  /** Entrypoint for the exec container; the exec's args stay its Cmd (and so its `docker history` line). */
  entrypoint: string[];
  /** Written to stdin before the pipeline's own stdin: the secret assignments, then an end marker. */
  stdinPrefix: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// undefined when the exec needs no wrapper (no secret variables, nothing to unset).
export function buildExecWrapper(
  secretEnv: Readonly<Record<string, string>>,
  unset: readonly string[],
): ExecWrapper | undefined {
  const secrets = Object.entries(secretEnv);
  const removable = unset.filter((name) => NAME.test(name));
  if (secrets.length === 0 && removable.length === 0) return undefined;
  for (const [name, value] of secrets) checkSecret(name, value);
  const marker = `gantry-end-${randomBytes(16).toString("hex")}`;
  const parts: string[] = [];
  if (secrets.length > 0) {
    // `read` takes one byte at a time from a pipe, so the bytes after the marker stay for the command.
    parts.push(
      `e=; while IFS= read -r l; do [ "$l" = ${marker} ] && break; e="$e$l\n"; done`,
      `eval "$e" || exit 125`,
      "unset e l",
    );
  }
  if (removable.length > 0) parts.push(`unset ${removable.join(" ")}`);
  parts.push('exec "$@"');
  const stdinPrefix =
    secrets.length === 0
      ? ""
      : secrets.map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join("") +
        marker +
        "\n";
  return { entrypoint: ["/bin/sh", "-c", parts.join("; "), "gantry-exec"], stdinPrefix };
}

// A name must be a shell identifier and a value free of NUL, or the wrapper could not set it.
function checkSecret(name: string, value: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(
      `secret variable name ${JSON.stringify(name)} is not a valid environment variable name: use letters, digits and _`,
    );
  }
  if (value.includes("\0")) {
    throw new UsageError(
      `secret variable ${name} holds a NUL byte, which no environment variable can hold`,
    );
  }
}

// Single quotes keep every byte literal; a quote inside becomes '\''.
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// Secret flags name where a secret comes from, never the secret itself (as in `dagger call`).
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";

export type SecretSource =
  { from: "env"; name: string } | { from: "file"; path: string } | { from: "cmd"; command: string };

const FORMS = "env:NAME, file:PATH or cmd:COMMAND";

/** Parse `env:NAME`, `env://NAME`, `file:PATH`, `file://PATH`, `cmd:"…"`, `cmd://…`; checks what can be checked now. */
export function parseSecretSource(
  flag: string,
  text: string,
  ctx: { cwd: string; hostEnv: Readonly<Record<string, string | undefined>> },
): SecretSource {
  const m = /^(env|file|cmd):(?:\/\/)?(.*)$/s.exec(text);
  // Dagger's secret providers: named, with the way to the same value through their own command-line tools
  const provider = /^(op|vault|libsecret|aws|gcp):\/\//.exec(text)?.[1];
  if (provider) {
    const tool: Record<string, string> = {
      op: `cmd:"op read '${text}'"`,
      vault: 'cmd:"vault kv get -field=FIELD PATH"',
      libsecret: 'cmd:"secret-tool lookup ATTRIBUTE VALUE"',
      aws: 'cmd:"aws secretsmanager get-secret-value --secret-id ID --query SecretString --output text"',
      gcp: 'cmd:"gcloud secrets versions access latest --secret=NAME"',
    };
    throw new UsageError(
      `--${flag}: ${provider}:// secrets (a provider of Dagger's) are not read by Gantry; give the source as ${FORMS}`,
      { hint: `read it with the provider's own tool, e.g. --${flag}=${tool[provider]}` },
    );
  }
  if (!m || !m[2]) {
    // never echo the value: a person who typed the secret itself must not see it printed back
    throw new UsageError(
      `--${flag} is a Secret: give its source as ${FORMS}, not the value itself`,
    );
  }
  const rest = m[2];
  if (m[1] === "env") {
    if (ctx.hostEnv[rest] === undefined) {
      throw new UsageError(
        `--${flag}: environment variable ${rest} is not set: export it, or use file: or cmd:`,
      );
    }
    return { from: "env", name: rest };
  }
  if (m[1] === "file") {
    const abs = path.resolve(ctx.cwd, rest);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      throw new UsageError(
        `--${flag}: ${rest} is a directory (${abs}), and a secret file must be a file: give the path of the file that holds the secret`,
      );
    }
    if (!st?.isFile()) {
      throw new UsageError(
        `--${flag}: secret file ${rest} does not exist${abs === rest ? "" : ` (${abs})`}: check the path`,
      );
    }
    return { from: "file", path: abs };
  }
  return { from: "cmd", command: rest.replace(/^"(.*)"$/s, "$1") };
}

/** Run a `cmd:` secret's command with the host shell; its stdout, minus the final newline, is the secret. */
export function runSecretCommand(flag: string, command: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("sh", ["-c", command], { cwd, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) {
        const code = (err as { code?: unknown }).code;
        // the command's output may hold part of the secret, so it is not repeated here
        reject(
          new UsageError(
            code === 127
              ? `--${flag}: the secret command failed: the shell found no such command (exit 127): check its name and PATH`
              : `--${flag}: the secret command failed (exit ${String(code ?? "?")}): run it by hand to see why`,
            {
              cause: err,
            },
          ),
        );
        return;
      }
      resolve(stdout.replace(/\r?\n$/, ""));
    });
  });
}

// What the process gets as its environment and user, decided the way a container runtime would.
import { UnsupportedError } from "../../errors.js";
import type { ExecSpec } from "../runtime.js";

/** Docker's PATH for an image whose config sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Docker's HOME for root when the image sets none. */
export const DEFAULT_HOME = "/root";

/** spec.env, volatileEnv, then secretEnv (secrets win), with PATH and HOME defaulted as Docker does. */
export function execEnv(spec: ExecSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of spec.env) {
    const i = kv.indexOf("=");
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  Object.assign(env, spec.volatileEnv, spec.secretEnv);
  env.PATH ??= DEFAULT_PATH;
  env.HOME ??= DEFAULT_HOME;
  return env;
}

/** Execs run as root in the sandbox (the invoking user in plain mode); any other user would silently differ. */
export function assertRootUser(spec: ExecSpec): void {
  if (["", "root", "0", "root:root", "0:0"].includes(spec.user)) return;
  throw new UnsupportedError(
    `host runtime cannot run as user "${spec.user}" (withUser, step: ${spec.step}): every exec runs as root ` +
      `inside the sandbox; drop withUser for host runs, or run with --runtime=docker`,
  );
}

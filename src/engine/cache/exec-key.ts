// Where an exec's cache key is computed: every input that can change its result, and nothing that cannot.
// A change here changes every key; test/golden/digests.json makes that a visible diff.
import { digestOf } from "../../store/digest.js";

/** One named input of an exec, as recorded for "why did this not come from cache". */
export interface ExecInput {
  name: string;
  digest: string;
  /** Digest of a directory input's tree, saved in the store so a later miss can say which files changed. */
  tree?: string;
  /** What a person may be shown about it: an image's content id, the command, a directory's source. Never a value. */
  detail?: string;
}

/** Everything an exec's result depends on, already resolved to digests and values (secrets as keyed hashes). */
export interface ExecKeyParts {
  runtime: string;
  /** The filesystem it starts from: an image's content id, a parent exec's key, a build. */
  base: string;
  /** Pending file operations applied before it runs. */
  ops: string[];
  mounts: string[];
  args: string[];
  /** In order: order can change what a program sees. */
  env: string[];
  workdir: string;
  user: string;
  /** `[name, keyed hash of the value]`: never the value. */
  secretEnv: [string, string][];
  /** `[alias, service digest]`. */
  services: [string, string][];
  stdin?: string;
  redirectStdout?: string;
  redirectStderr?: string;
  /** Bytes: a step that fits under a limit may not fit under a smaller one. Absent (not in the key) when unset. */
  memoryLimit?: number;
  /** Absent (not in the key) when unset, so every other step's key stays as it was. */
  privileged?: boolean;
  /** What the runtime adds (the host runtime: the identity of the host tool the command resolves to). */
  runtimeInputs: ExecInput[];
}

/**
 * The exec's key. Not in it, on purpose: cache volumes' contents (they are caches), labels, `expect`
 * (a failing exec is never cached, so which codes count as success cannot change a cached result).
 */
export function execKey(p: ExecKeyParts): string {
  return digestOf({
    v: 1,
    op: "exec",
    ...p,
    runtimeInputs: p.runtimeInputs.length ? p.runtimeInputs : undefined,
  });
}

/** One input per variable (and one for their order), so that a miss says "environment variable PATH changed". */
export function environmentInputs(env: readonly string[]): ExecInput[] {
  const names = env.map((kv) => kv.slice(0, Math.max(0, kv.indexOf("="))) || kv);
  return [
    ...env.map((kv, i) => ({
      name: `environment variable ${names[i]}`,
      digest: digestOf(kv.slice(names[i]!.length + 1)),
    })),
    { name: "environment order", digest: digestOf(names) },
  ];
}

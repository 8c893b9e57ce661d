// A host-runtime step runs the host's own tools: which binary its command resolves to, and which version of it, is an input.
import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { RuntimeKeyInput } from "../runtime.js";

/**
 * The identity of the host tool `args[0]` resolves to on the exec's PATH, looking only in the host's own PATH
 * entries (read-only in the sandbox, so what is seen here is what the exec sees): its real path, size, mtime and
 * inode. An upgraded `node` at the same path is a different tool. A command given as a path, or one the host
 * lacks (the command check refuses it), adds nothing.
 */
export async function toolIdentity(
  args: readonly string[],
  env: readonly string[],
  hostPath: string,
): Promise<RuntimeKeyInput[]> {
  const cmd = args[0];
  if (!cmd || cmd.includes("/")) return [];
  const host = new Set(hostPath.split(":"));
  const pathVar = env.findLast((kv) => kv.startsWith("PATH="))?.slice(5) ?? hostPath;
  for (const dir of pathVar.split(":")) {
    if (!path.isAbsolute(dir) || !host.has(dir)) continue;
    const candidate = path.join(dir, cmd);
    const st = await stat(candidate).catch(() => undefined);
    if (
      !st?.isFile() ||
      !(await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const real = await realpath(candidate);
    return [
      {
        name: `host tool ${cmd}`,
        identity: `${candidate} -> ${real} size=${st.size} mtime=${st.mtimeMs} ino=${st.ino}`,
      },
    ];
  }
  return [];
}

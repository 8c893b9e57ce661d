// Whether bubblewrap can make a sandbox here (installed, and the kernel lets us create namespaces), decided once.
import { spawn } from "node:child_process";

export type SandboxProbe =
  | { readonly mode: "bubblewrap" }
  | {
      readonly mode: "plain";
      /** Why not bubblewrap, for the CLI to show. */ readonly reason: string;
    };

/** Start the smallest sandbox that proves mounts and a pid namespace work; anything else means plain mode. */
export async function probeBubblewrap(timeoutMs = 5000): Promise<SandboxProbe> {
  if (process.platform !== "linux")
    return { mode: "plain", reason: `bubblewrap needs Linux (this is ${process.platform})` };
  const args = [
    "--die-with-parent",
    "--unshare-pid",
    "--ro-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "--",
    "true",
  ];
  if (process.getuid?.() !== 0) args.unshift("--unshare-user");
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("bwrap", args, { stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs });
    } catch (e) {
      // spawn throws at once for some failures (ENOMEM, E2BIG): an answer like its "error" event's, never a
      // rejection (a probe prepareRuntime started may have nobody awaiting it when the command fails first)
      resolve({ mode: "plain", reason: `bwrap could not start: ${(e as Error).message}` });
      return;
    }
    let stderr = "";
    child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", (e: NodeJS.ErrnoException) =>
      resolve({
        mode: "plain",
        reason:
          e.code === "ENOENT"
            ? "bubblewrap (bwrap) is not installed"
            : `bwrap could not start: ${e.message}`,
      }),
    );
    child.on("close", (code) =>
      resolve(
        code === 0
          ? { mode: "bubblewrap" }
          : {
              mode: "plain",
              reason: `bwrap cannot create a sandbox here: ${stderr.trim() || `exit code ${code}`}`,
            },
      ),
    );
  });
}

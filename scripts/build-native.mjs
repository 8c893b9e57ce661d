// After the bundle: Gantry's exec shim (native/exec-shim.c), a static binary per architecture in dist/native/, for
// execs that go through the engine's BuildKit (docs/design-notes/performance.md, Decision 19). musl-gcc makes the
// smallest (~35 KB); any C compiler with static libc will do. Without one the build goes on and says so: those execs
// then use a shell script as their shim, which shows each exec's output when it ends rather than as it comes.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE = path.join(ROOT, "native", "exec-shim.c");
const OUT = path.join(ROOT, "dist", "native");
const FLAGS = ["-static", "-Os", "-s", "-Wall", "-Wextra", "-Werror"];

/** Docker's architecture names (an image's `Architecture`) for Node's. */
const DOCKER_ARCH = { x64: "amd64", arm64: "arm64" };

function works(cc) {
  try {
    execFileSync(cc, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// [docker architecture, compilers to try]: this machine's own, and arm64/amd64 where a cross compiler is installed
const native = DOCKER_ARCH[process.arch];
const targets = [
  [native, ["musl-gcc", "cc", "gcc"]],
  ...(native === "amd64" ? [["arm64", ["aarch64-linux-musl-gcc", "aarch64-linux-gnu-gcc"]]] : []),
  ...(native === "arm64" ? [["amd64", ["x86_64-linux-musl-gcc", "x86_64-linux-gnu-gcc"]]] : []),
].filter(([arch]) => arch !== undefined);

// Linux binaries only: elsewhere (macOS) a compiler makes the host's own format, which no engine's Linux could run
mkdirSync(OUT, { recursive: true });
const built = [];
for (const [arch, compilers] of process.platform === "linux" ? targets : []) {
  const out = path.join(OUT, `exec-shim-linux-${arch}`);
  // the first compiler that exists and links statically (a libc without its static part fails: try the next)
  for (const cc of compilers.filter(works)) {
    try {
      execFileSync(cc, [...FLAGS, "-o", out, SOURCE], { stdio: ["ignore", "ignore", "pipe"] });
      built.push(`${arch} (${cc})`);
      break;
    } catch (err) {
      console.warn(
        `build-native: ${cc} could not build the ${arch} shim: ${String(err.stderr ?? err).trim()}`,
      );
    }
  }
}
if (built.length === 0)
  console.warn(
    "build-native: no C compiler (musl-gcc, cc): execs through BuildKit will show their output when each ends " +
      "(apt-get install musl-tools, then npm run build)",
  );

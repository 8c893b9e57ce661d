// The build's exec shim (native/exec-shim.c → dist/native/, scripts/build-native.mjs), found from wherever this code
// runs: bundled in dist/ or from source (the tests run src/ after a build).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The shim binary for an image's architecture (Docker's name: amd64, arm64); undefined when the build made none. */
export function shimFile(architecture: string): string | undefined {
  const name = path.join("native", `exec-shim-linux-${architecture}`);
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const isDist = path.basename(dir) === "dist";
    if (isDist || fs.existsSync(path.join(dir, "package.json"))) {
      const file = path.join(isDist ? dir : path.join(dir, "dist"), name);
      return fs.existsSync(file) ? file : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

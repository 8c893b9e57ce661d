// After `tsc`: the presets' digest in dist/, so a run need not read and hash their ~30 source files to key a module's
// signature and bundle (docs/design-notes/performance.md, Decision 14). Running from source, Gantry hashes them itself.
import fs from "node:fs";
import path from "node:path";
import { readLibrarySources } from "../dist/module/library-entry.js";
import { hashLibrary, LIBRARY_DIGEST_FILE } from "../dist/module/module-digest.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const library = readLibrarySources();
if (!library)
  throw new Error(
    "library-digest: src/toolchains/index.ts is missing; the presets cannot be hashed",
  );
fs.writeFileSync(path.join(ROOT, "dist", LIBRARY_DIGEST_FILE), hashLibrary(library) + "\n");

// Gantry's version, read from package.json at run time: shown by --version and part of cache keys.
import fs from "node:fs";

/** The version in the package.json two folders up (from dist/module/ or src/module/). */
export function gantryVersion(): string {
  try {
    const pkg = fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(pkg) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

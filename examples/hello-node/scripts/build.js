// Build: copy the sources to dist/ with a version stamp, as a real bundler step would produce an artifact.
import { cpSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
mkdirSync("dist", { recursive: true });
cpSync("src", "dist", { recursive: true });
writeFileSync("dist/VERSION", pkg.version + "\n");
console.log(`built dist/ (${pkg.name}@${pkg.version})`);

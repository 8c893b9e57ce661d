// A copy of one of examples/ made to run offline on this machine (test images instead of registry images, no
// secretlint image, no npm dependencies where Debian's packages in the image stand in), shared by the example
// tests and bench/examples.mjs so both run exactly the same project.
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OFFLINE = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "example-offline.json"), "utf8"),
);

/** Copy examples/<name> into <dir>/<name>, apply its offline edits, and make an empty state dir beside it. */
export function copyExample(name, dir) {
  const spec = OFFLINE[name];
  if (!spec)
    throw new Error(`no offline recipe for examples/${name} in test/helpers/example-offline.json`);
  const project = path.join(dir, name);
  fs.cpSync(path.join(ROOT, "examples", name), project, { recursive: true });
  for (const [file, from, to] of spec.edits) {
    const p = path.join(project, file);
    const src = fs.readFileSync(p, "utf8");
    const out = src.replace(from, to);
    if (out === src)
      throw new Error(`examples/${name}/${file} no longer contains ${JSON.stringify(from)}`);
    fs.writeFileSync(p, out);
  }
  if (spec.dropNpmDependencies) dropNpmDependencies(project);
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir, { recursive: true });
  return { project, stateDir, changeFile: spec.change[0], changeLine: spec.change[1] };
}

// Debian's packages in the test image stand in for the npm dependencies (no fetch here), so the copy declares none
// and its lockfile is the empty one npm would write.
function dropNpmDependencies(project) {
  const file = path.join(project, "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  delete pkg.dependencies;
  delete pkg.devDependencies;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
  const root = { name: pkg.name, version: pkg.version };
  const lock = { ...root, lockfileVersion: 3, requires: true, packages: { "": root } };
  fs.writeFileSync(path.join(project, "package-lock.json"), JSON.stringify(lock, null, 2));
}

// Hostile tar streams from the engine (what Container.directory().export() unpacks): whatever the entries are —
// "../" names, absolute names, symlinks and hard links pointing outside, entries below a symlink, duplicates,
// cut-off or oversized contents — nothing is ever written outside the export target, and a refusal is a
// GantryError that names the entry. Property-based (fast-check); GANTRY_FUZZ_RUNS=N for a long run.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentStore } from "../../src/store/content-store.js";
import { exportTree } from "../../src/store/host-export.js";
import { unpackTar } from "../../src/store/tree-tar.js";
import { isGantryError } from "../../src/errors.js";
import { fuzzRuns, listAll } from "../helpers/fuzz-runs.js";

let sandbox: string;
let outside: string;
let store: ContentStore;
let caseNo = 0;

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), "gantry-fuzz-tar-"));
  outside = path.join(sandbox, "outside");
  await mkdir(outside);
  await writeFile(path.join(outside, "sentinel"), "untouched");
  store = new ContentStore(path.join(sandbox, "store"));
  await store.init();
});
afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

interface RawEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "link";
  linkname?: string;
  body?: string;
  mode: number;
}

const OUT = "@OUTSIDE@";
const segment = fc.constantFrom("a", "b", "c", "..", ".", "");
const entryName = fc
  .tuple(
    fc.constantFrom("", "", "/", "./", "../", OUT + "/"),
    fc.array(segment, { minLength: 1, maxLength: 4 }),
  )
  .map(([prefix, parts]) => prefix + parts.join("/"))
  .filter((n) => n.replace(/[/.]/g, "") !== "" || n.includes(".."));
const linkTarget = fc.oneof(
  entryName,
  fc.constantFrom(
    "../outside",
    "../../outside",
    "../outside/sentinel",
    OUT,
    `${OUT}/sentinel`,
    "/",
    "/etc",
  ),
);
const rawEntry: fc.Arbitrary<RawEntry> = fc.oneof(
  fc.record({
    name: entryName,
    type: fc.constant("file" as const),
    body: fc.string({ maxLength: 12 }),
    mode: fc.constantFrom(0o644, 0o755, 0o4777),
  }),
  fc.record({
    name: entryName,
    type: fc.constant("directory" as const),
    mode: fc.constantFrom(0o755, 0o700, 0o555),
  }),
  fc.record({
    name: entryName,
    type: fc.constant("symlink" as const),
    linkname: linkTarget,
    mode: fc.constant(0o777),
  }),
  fc.record({
    name: entryName,
    type: fc.constant("link" as const),
    linkname: linkTarget,
    mode: fc.constant(0o644),
  }),
);

// Serialise entries into a tar, with the sandbox's "outside" folder put in for the placeholder.
async function tarOf(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const header = {
      name: e.name.replaceAll(OUT, outside),
      type: e.type,
      mode: e.mode,
      ...(e.linkname === undefined ? {} : { linkname: e.linkname.replaceAll(OUT, outside) }),
    };
    if (e.type === "file") pack.entry(header, e.body ?? "");
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// Unpack and export one archive into a fresh target; the outcome, and what the sandbox holds afterwards.
async function unpackAndExport(archive: Buffer, strip?: string) {
  const caseDir = path.join(sandbox, `case-${caseNo++}`);
  const target = path.join(caseDir, "out");
  await mkdir(caseDir);
  let error: unknown;
  try {
    const tree = await unpackTar(Readable.from([archive]), store, strip ? { strip } : {});
    await exportTree(store, tree, target);
  } catch (err) {
    error = err;
  }
  const outsideNow = await listAll(outside);
  const sentinel = await readFile(path.join(outside, "sentinel"), "utf8");
  const strays = (await listAll(caseDir)).filter((p) => p !== "out" && !p.startsWith("out/"));
  await rm(caseDir, { recursive: true, force: true });
  return { error, outsideNow, sentinel, strays };
}

// The names an error may mention: every name and link target of the archive, as the archive spelled them.
function mentionsAnEntry(message: string, entries: RawEntry[]): boolean {
  return entries.some((e) =>
    [e.name, e.linkname].some(
      (n) => n !== undefined && message.includes(JSON.stringify(n.replaceAll(OUT, outside))),
    ),
  );
}

describe("hostile tar streams on export", () => {
  it("never write outside the target, and refuse with an error naming the entry", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rawEntry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const result = await unpackAndExport(await tarOf(entries));
        expect(result.outsideNow).toEqual(["sentinel"]);
        expect(result.sentinel).toBe("untouched");
        expect(result.strays).toEqual([]);
        if (result.error !== undefined) {
          refused++;
          expect(isGantryError(result.error), String(result.error)).toBe(true);
          const message = (result.error as Error).message;
          expect(mentionsAnEntry(message, entries), message).toBe(true);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
    // the generator must reach the refusals, or the property proves little
    expect(refused).toBeGreaterThan(0);
  });

  it("refuses a file below a symlink that points outside, naming both", async () => {
    const archive = await tarOf([
      { name: "a", type: "symlink", linkname: "../outside", mode: 0o777 },
      { name: "a/pwned", type: "file", body: "x", mode: 0o644 },
    ]);
    const result = await unpackAndExport(archive);
    expect(result.outsideNow).toEqual(["sentinel"]);
    expect((result.error as Error).message).toMatch(
      /tar entry "a\/pwned" lies below "a", which the archive made a symlink to "..\/outside"/,
    );
  });

  it("keeps absolute names inside the target, as tar does (leading / removed)", async () => {
    const archive = await tarOf([
      { name: `${OUT}/sentinel`, type: "file", body: "evil", mode: 0o644 },
    ]);
    const result = await unpackAndExport(archive);
    expect(result.error).toBeUndefined();
    expect(result.sentinel).toBe("untouched");
  });

  it("names the entry when a stream is cut off in the middle of a huge file", async () => {
    // A header that promises 8 GiB, followed by 1 MiB and the end of the stream: a broken engine connection.
    const header = tar.pack();
    const sink = header.entry({ name: "big.bin", size: 8 * 1024 ** 3, type: "file" });
    const chunks: Buffer[] = [];
    header.on("data", (c: unknown) => chunks.push(c as Buffer));
    header.on("error", () => {}); // the unfinished pack is abandoned below
    sink.on("error", () => {});
    sink.write(Buffer.alloc(1024 * 1024, 1));
    await new Promise((r) => setImmediate(r));
    const result = await unpackAndExport(Buffer.concat(chunks));
    sink.destroy();
    expect(isGantryError(result.error)).toBe(true);
    expect((result.error as Error).message).toMatch(
      /could not read a tar stream in entry "big.bin"/,
    );
    expect(result.outsideNow).toEqual(["sentinel"]);
  });

  it("export of a damaged tree naming '../x' writes nothing outside", async () => {
    const digest = await store.putBytes("x");
    const tree = {
      entries: { "../outside/pwned": { type: "file" as const, mode: 0o644, digest, size: 1 } },
    };
    const target = path.join(sandbox, "damaged-out");
    await expect(exportTree(store, tree, target)).rejects.toThrow(
      /entry "..\/outside\/pwned" is not a plain relative path/,
    );
    expect(await listAll(outside)).toEqual(["sentinel"]);
  });
});

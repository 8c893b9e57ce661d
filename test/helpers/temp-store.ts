// A fresh folder per test for the store's unit tests: an empty source folder and an initialised store beside it.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ContentStore } from "../../src/store/content-store.js";

export interface TempStore {
  /** The folder holding both; removeTempStore(tmp) removes everything. */
  tmp: string;
  /** `<tmp>/src`, empty: the host folder a test writes its files into. */
  root: string;
  /** `<tmp>/store`, initialised. */
  store: ContentStore;
}

export async function makeTempStore(name: string): Promise<TempStore> {
  const tmp = await mkdtemp(path.join(tmpdir(), `gantry-${name}-`));
  const root = path.join(tmp, "src");
  await mkdir(root, { recursive: true });
  const store = new ContentStore(path.join(tmp, "store"));
  await store.init();
  return { tmp, root, store };
}

export function removeTempStore(tmp: string): Promise<void> {
  return rm(tmp, { recursive: true, force: true });
}

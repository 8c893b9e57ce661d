// The engine's image piece as the Session is given it: builds, imports, publishing and tarballs.
import type { ImageOps } from "../session-parts.js";
import { resolveBuild } from "./build-resolver.js";
import { resolveImport } from "./import-resolver.js";
import { publishContainer } from "./publish.js";
import { containerTarball } from "./tarball.js";

export type { BuildPayload, ImportPayload } from "./image-payloads.js";

/** Handed to every Session by openSession. */
export const imageOps: ImageOps = {
  resolveExternal: (s, kind, payload) =>
    kind === "build" ? resolveBuild(s, payload) : resolveImport(s, payload),
  publish: publishContainer,
  tarball: containerTarball,
};

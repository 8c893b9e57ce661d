// Loading this module gives the engine image builds, imports, publishing and tarballs; the SDK entry imports it once.
import { registerExternalResolver } from "../evaluate/container.js";
import { setImageImpls } from "./image-api.js";
import { resolveBuild } from "./build-resolver.js";
import { resolveImport } from "./import-resolver.js";
import { publishContainer } from "./publish.js";
import { containerTarball } from "./tarball.js";

registerExternalResolver("build", resolveBuild);
registerExternalResolver("import", resolveImport);
setImageImpls({ publish: publishContainer, tarball: containerTarball });

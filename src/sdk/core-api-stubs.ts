// The SDK's classes, each given Dagger's missing methods as stubs that throw a named UnsupportedError.
import { installUnsupported } from "./unsupported-api.js";
import { Client } from "./dag.js";
import { Container } from "./container.js";
import { Directory } from "./directory.js";
import { File } from "./file.js";
import { Host } from "./host.js";
import { Service } from "./service.js";
import { Secret } from "./secret.js";
import { CacheVolume } from "./cache-volume.js";
import { GitRepository, GitRef } from "./git.js";
import { CurrentModule } from "./current-module.js";

/** Give each SDK class a throwing method for every Dagger field it lacks; idempotent. */
export function installCoreApiStubs(): void {
  for (const [cls, type] of [
    [Client, "Query"],
    [Container, "Container"],
    [Directory, "Directory"],
    [File, "File"],
    [Host, "Host"],
    [Service, "Service"],
    [Secret, "Secret"],
    [CacheVolume, "CacheVolume"],
    [GitRepository, "GitRepository"],
    [GitRef, "GitRef"],
    [CurrentModule, "CurrentModule"],
  ] as const)
    installUnsupported(cls.prototype, type);
}

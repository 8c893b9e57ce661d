// Gantry's public SDK: Dagger's core names, so `import { dag } from "@dagger.io/dagger"` resolves here unchanged.
export { dag, Client } from "./dag.js";
export { Container, type ContainerWithExecOpts, type ContainerBuildOpts } from "./container.js";
export { Directory, type DirectoryFilterOpts } from "./directory.js";
export { File } from "./file.js";
export { Secret } from "./secret.js";
export { CacheVolume } from "./cache-volume.js";
export { Host, type HostDirectoryOpts, type PortForward, type HostServiceOpts } from "./host.js";
export { Service } from "./service.js";
export { GitRepository, GitRef, type GitOpts } from "./git.js";
export { CurrentModule, runInModule, type ModuleInfo } from "./current-module.js";
export {
  dependencyObject,
  type DependencyType,
  type DependencyTypes,
} from "./dependency-object.js";
export {
  ReturnType,
  CacheSharingMode,
  NetworkProtocol,
  ImageLayerCompression,
  ImageMediaTypes,
} from "./enums.js";
export {
  object,
  func,
  check,
  field,
  argument,
  enumType,
  getObjectMetadata,
  type ArgumentOptions,
  type ObjectMetadata,
} from "./decorators.js";
export { collectObjects, type DeclaredClass } from "./object-registry.js";
export { connect, connection, openRun, Run, type ConnectOptions } from "./connect.js";
export {
  ExecError,
  GantryError,
  UsageError,
  ModuleError,
  NotFoundError,
  UnsupportedError,
  RuntimeUnavailableError,
  ImageError,
  CancelledError,
  ServiceError,
  ComposeError,
  DeployError,
  TaskError,
  ErrorCodes,
} from "../errors.js";

// Dagger's methods Gantry lacks throw a named UnsupportedError instead of being undefined.
import { installCoreApiStubs } from "./core-api-stubs.js";
installCoreApiStubs();

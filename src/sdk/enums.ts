// Dagger's enum names and values, so `ReturnType.Any` and `CacheSharingMode.Locked` read the same here.

/** Which exit codes a withExec accepts. */
export enum ReturnType {
  Success = "SUCCESS",
  Failure = "FAILURE",
  Any = "ANY",
}

/** How concurrent execs share a cache volume. */
export enum CacheSharingMode {
  Shared = "SHARED",
  Private = "PRIVATE",
  Locked = "LOCKED",
}

/** Compression of an exported or published image's layers (Gantry writes gzip only). */
export enum ImageLayerCompression {
  Gzip = "Gzip",
  Zstd = "Zstd",
  EStarGZ = "EStarGZ",
  Uncompressed = "Uncompressed",
}

/** Media types of an exported or published image (Gantry writes Docker's only). */
export enum ImageMediaTypes {
  OCIMediaTypes = "OCIMediaTypes",
  DockerMediaTypes = "DockerMediaTypes",
}

/** Transport protocol of an exposed port. */
export enum NetworkProtocol {
  Tcp = "TCP",
  Udp = "UDP",
}

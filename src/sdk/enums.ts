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

/** Transport protocol of an exposed port. */
export enum NetworkProtocol {
  Tcp = "TCP",
  Udp = "UDP",
}

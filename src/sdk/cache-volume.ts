// A named cache that outlives runs (a package manager's download cache); never part of a cache key.

/**
 * @example
 * ctr.withMountedCache("/root/.npm", dag.cacheVolume("npm"))
 */
export class CacheVolume {
  /** @internal */
  readonly _name: string;

  /** @internal */
  constructor(name: string) {
    if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
      throw new TypeError(
        `cacheVolume name must be letters, digits, ".", "_" or "-", got ${JSON.stringify(name)}`,
      );
    this._name = name;
    Object.freeze(this);
  }

  /** @internal */
  get volumeName(): string {
    return this._name;
  }
}

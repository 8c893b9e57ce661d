// A secret value the engine uses without ever writing it down: in digests only as a keyed hash, in logs as ***.
import { randomUUID } from "node:crypto";
import { maskSecret, type SecretNode } from "../engine/api/index.js";

/**
 * A secret, made by `dag.setSecret(name, value)`, `dag.host().setSecretFile(name, path)` or a
 * `--token=env:NAME` flag.
 *
 * @example
 * const token = dag.setSecret("npm-token", process.env.NPM_TOKEN!)
 * ctr.withSecretVariable("NPM_TOKEN", token)
 */
export class Secret {
  /** @internal */
  readonly _node: SecretNode;

  /** @internal */
  constructor(node: SecretNode) {
    this._node = node;
    Object.freeze(this);
  }

  /** @internal Make a secret from a name and a way to read its value. */
  static _from(name: string, resolve: () => Promise<string>): Secret {
    let cached: Promise<string> | undefined;
    return new Secret({ name, id: randomUUID(), resolve: () => (cached ??= resolve()) });
  }

  async name(): Promise<string> {
    return this._node.name;
  }

  /** The value in clear. Only call it where a person asked for it; it is still masked in Gantry's logs. */
  async plaintext(): Promise<string> {
    const v = await this._node.resolve();
    maskSecret(v);
    return v;
  }

  /** Never print the value by accident. */
  toString(): string {
    return `Secret(${this._node.name})`;
  }

  toJSON(): string {
    return this.toString();
  }
}

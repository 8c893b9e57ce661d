// A long-running container other containers reach by an alias; started when first needed, stopped at the end of the run.
import { terminalUnsupported } from "./terminal.js";
import * as engine from "../engine/api/index.js";
import type { HostServiceNode, ServiceNode } from "../engine/api/index.js";

/**
 * @example
 * const db = dag.container().from("postgres:16").withEnvVariable("POSTGRES_PASSWORD", "x")
 *   .withExposedPort(5432).asService()
 * await app.withServiceBinding("postgres", db).withExec(["npm", "test"]).sync()
 */
export class Service {
  /** @internal */
  readonly _node: ServiceNode | HostServiceNode;

  /** @internal */
  constructor(node: ServiceNode | HostServiceNode) {
    this._node = node;
    Object.freeze(this);
  }

  /** Interactive terminals are not available in Gantry yet: this throws an UnsupportedError that says so. */
  terminal(opts: { cmd?: string[] } = {}): Service {
    throw terminalUnsupported("Service", opts.cmd);
  }

  /** Nothing to evaluate ahead of a start (as in Dagger, sync does not start the service): the same service. */
  async sync(): Promise<Service> {
    return this;
  }

  /** Start the service now (it otherwise starts when a consumer needs it). */
  async start(): Promise<Service> {
    await engine.startServiceNode(this._node);
    return this;
  }

  async stop(opts: { kill?: boolean } = {}): Promise<Service> {
    await engine.stopServiceNode(this._node, opts.kill ?? false);
    return this;
  }

  /** `host:port` (or `scheme://host:port`) where the service can be reached from the host. */
  async endpoint(opts: { port?: number; scheme?: string } = {}): Promise<string> {
    return engine.serviceEndpoint(this._node, opts);
  }

  async hostname(): Promise<string> {
    return engine.serviceHostname(this._node);
  }

  async ports(): Promise<{ port: number; protocol: string; description?: string }[]> {
    return engine.servicePorts(this._node);
  }

  /** Expose the service's ports on the host until the run is cancelled (Ctrl-C). */
  async up(
    opts: { ports?: { frontend?: number; backend: number }[]; random?: boolean } = {},
  ): Promise<void> {
    await engine.serviceUp(this._node, opts);
  }
}

// Service lifecycle entry points used by the SDK's Service; filled in by the services piece.
import type { ServiceNode } from "../nodes.js";
import type { Session } from "../session.js";
import { UnsupportedError } from "../../errors.js";

function notYet(what: string): never {
  throw new UnsupportedError(`${what} is not available in this build of Gantry`);
}

export async function startService(_s: Session, _n: ServiceNode): Promise<void> {
  notYet("Service.start");
}
export async function stopService(_s: Session, _n: ServiceNode, _kill: boolean): Promise<void> {
  notYet("Service.stop");
}
export async function serviceEndpoint(_s: Session, _n: ServiceNode, _o: { port?: number; scheme?: string }): Promise<string> {
  notYet("Service.endpoint");
}
export async function serviceHostname(_s: Session, _n: ServiceNode): Promise<string> {
  notYet("Service.hostname");
}
export async function servicePorts(_s: Session, _n: ServiceNode): Promise<{ port: number; protocol: string; description?: string }[]> {
  notYet("Service.ports");
}
export async function serviceUp(_s: Session, _n: ServiceNode, _o: unknown): Promise<void> {
  notYet("Service.up");
}

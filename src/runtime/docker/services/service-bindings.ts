// A service may depend on other services: each binding becomes an `alias:ip` line of its /etc/hosts.
import { isIP } from "node:net";
import type { ServiceSpec } from "../../runtime.js";
import { ServiceError } from "../../../errors.js";
import { engineMessage } from "../connection/docker-errors.js";
import type { DockerRunContext } from "../connection/run-context.js";

// The runtime resolved bindings to IPs; a container id or name is looked up on the run network.
export async function resolveBindingHosts(
  ctx: DockerRunContext,
  spec: ServiceSpec,
  network: string,
): Promise<string[]> {
  const hosts: string[] = [];
  for (const binding of spec.services ?? []) {
    const ip =
      isIP(binding.target) !== 0 ? binding.target : await ipOf(ctx, spec, network, binding);
    hosts.push(`${binding.alias}:${ip}`);
  }
  return hosts;
}

// The IP of a bound service container on the run network; it must be running there.
async function ipOf(
  ctx: DockerRunContext,
  spec: ServiceSpec,
  network: string,
  binding: { alias: string; target: string },
): Promise<string> {
  const what = `service ${spec.label ?? spec.step}: the service bound as ${binding.alias}`;
  if (binding.target === "") {
    throw new ServiceError(`${what} has no address: it is not running`, {
      hint: "start the bound service first and check its logs",
    });
  }
  try {
    const info = await ctx.docker.getContainer(binding.target).inspect();
    const ip = info.NetworkSettings.Networks[network]?.IPAddress;
    if (ip) return ip;
  } catch (err) {
    throw new ServiceError(`${what} (${binding.target}) cannot be found: ${engineMessage(err)}`, {
      cause: err,
      hint: "start the bound service first and check its logs",
    });
  }
  throw new ServiceError(`${what} (${binding.target}) has no address on network ${network}`, {
    hint: "the bound service must run on the run's network; check that it is still running",
  });
}

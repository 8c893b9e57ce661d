// The run's cleanup when a container of the run appears after it listed them (an exec or service start in flight when
// Ctrl-C came): the late container keeps the run's network in use, and the network used to stay behind. Against the
// real engine; the late container is created right after the cleanup's first listing, as the race would.
import Dockerode from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { removeLabelled } from "../../src/runtime/docker/cleanup/run-cleanup.js";
import { BUSYBOX, docker as cli } from "../helpers/test-session.js";

const docker = new Dockerode();
const runId = `late-${process.pid}-${Date.now().toString(36)}`;
const labels = { "gantry.managed": "true", "gantry.run": runId };
const network = `gantry-${runId}`;

afterAll(() => {
  for (const args of [
    [
      "rm",
      "-f",
      ...cli(["ps", "-aq", "--filter", `label=gantry.run=${runId}`])
        .split("\n")
        .filter(Boolean),
    ],
    ["network", "rm", network],
  ])
    try {
      if (args.length > 2 || args[0] === "network") cli(args);
    } catch {
      // already gone
    }
});

describe("the run's cleanup", () => {
  it("removes the run's network even when a container of the run is created after it listed them", async () => {
    await docker.createNetwork({ Name: network, Driver: "bridge", Labels: labels });
    let late: string | undefined;
    // the engine as the cleanup sees it: the first listing is answered, then a start in flight lands on the network
    const racing = new Proxy(docker, {
      get(target, key) {
        if (key === "listContainers")
          return async (opts: Dockerode.ContainerListOptions) => {
            const listed = await target.listContainers(opts);
            if (late === undefined) {
              const c = await target.createContainer({
                Image: BUSYBOX,
                Cmd: ["sleep", "60"],
                Labels: labels,
                HostConfig: { NetworkMode: network },
              });
              await c.start();
              late = c.id;
            }
            return listed;
          };
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
    await removeLabelled(racing, labels);
    expect(late).toBeDefined();
    expect(cli(["ps", "-aq", "--filter", `label=gantry.run=${runId}`]).trim()).toBe("");
    expect(cli(["network", "ls", "-q", "--filter", `name=^${network}$`]).trim()).toBe("");
  }, 60_000);
});

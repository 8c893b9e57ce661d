// What a service that would not start is told to do, and the published ports as `docker ps` shows them.
import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { startHint } from "../../src/runtime/docker/services/service-start.js";
import { boundPortsOf } from "../../src/runtime/docker/services/service-ports.js";

describe("startHint", () => {
  it("a published port another program holds: names the port, says to free it or publish another", () => {
    const userland =
      "driver failed programming external connectivity on endpoint x (abc): Error starting userland proxy: listen tcp4 0.0.0.0:18090: bind: address already in use";
    const allocated =
      "driver failed programming external connectivity on endpoint x (abc): Bind for 0.0.0.0:18091 failed: port is already allocated";
    for (const [reason, port] of [
      [userland, "18090"],
      [allocated, "18091"],
    ] as const) {
      const hint = startHint(reason, { args: ["sh", "-c", "sleep 3600"] });
      expect(hint).toContain(`host port ${port} is already in use`);
      expect(hint).toContain("publish another host port");
      expect(hint).not.toContain("sh exists in the image");
    }
  });

  it("a command that cannot run: check that it exists in the image", () => {
    expect(
      startHint('exec: "no-such-command": executable file not found in $PATH', {
        args: ["no-such-command"],
      }),
    ).toBe("check that no-such-command exists in the image and is executable");
  });
});

describe("boundPortsOf", () => {
  it("shows the address the engine bound (0.0.0.0 for all interfaces), not the loopback Gantry dials", () => {
    const info = {
      NetworkSettings: {
        Ports: {
          "80/tcp": [
            { HostIp: "0.0.0.0", HostPort: "18095" },
            { HostIp: "::", HostPort: "18095" },
          ],
          "81/tcp": [{ HostIp: "127.0.0.1", HostPort: "18096" }],
          "82/tcp": [{ HostIp: "", HostPort: "18097" }],
          "83/tcp": null,
        },
      },
    } as unknown as Dockerode.ContainerInspectInfo;
    expect(boundPortsOf(info)).toEqual({
      "80/tcp": "0.0.0.0:18095",
      "81/tcp": "127.0.0.1:18096",
      "82/tcp": "0.0.0.0:18097",
    });
  });
});

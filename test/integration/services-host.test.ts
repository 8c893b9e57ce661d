// A host port as a service (dag.host().service) and a container service exposed on the host (Service.up), on the
// real engine: containers reach a server that listens on this machine's loopback only, and `up` serves until cancelled.
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentSession } from "../../src/engine/session.js";
import { dag, type Service, ServiceError, UsageError } from "../../src/sdk/index.js";
import {
  BUSYBOX,
  closeServer,
  docker,
  freePort,
  listenLoopback,
  makeStateDir,
  runCommand,
  runIn,
} from "../helpers/test-session.js";

let server: http.Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    res.end(`hello from the host, path ${req.url}\n`);
  });
  port = await listenLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
});

const wget = (url: string, alias: string, svc: Service) =>
  dag
    .container()
    .from(BUSYBOX)
    .withEnvVariable("NONCE", `${Date.now()}-${Math.random()}`)
    .withServiceBinding(alias, svc)
    .withExec(["wget", "-qO-", url]);

describe("dag.host().service()", () => {
  it("lets containers reach a loopback-only host server by alias, on the frontend port", async () => {
    const state = await makeStateDir();
    const before = hits;
    // a free port, not a fixed one: other runs on this machine may hold any fixed port
    const front = await freePort();
    const r = await runIn("docker", state, async () => {
      const api = dag.host().service([{ frontend: front, backend: port }]);
      const same = dag.host().service([{ backend: port }]);
      const viaFrontend = await wget(`http://api:${front}/one`, "api", api).stdout();
      const viaBackend = await wget(`http://web:${port}/two`, "web", same).stdout();
      return {
        viaFrontend,
        viaBackend,
        endpoint: await api.endpoint({ scheme: "http" }),
        ports: await api.ports(),
        hostname: await api.hostname(),
      };
    });
    expect(r.value.viaFrontend).toBe("hello from the host, path /one\n");
    expect(r.value.viaBackend).toBe("hello from the host, path /two\n");
    expect(hits - before).toBe(2);
    // from the machine running the pipeline, the service is the host's own port
    expect(r.value.endpoint).toBe(`http://localhost:${port}`);
    expect(r.value.ports).toEqual([{ port: front, protocol: "TCP" }]);
    expect(net.isIPv4(r.value.hostname)).toBe(true);
    const steps = r.events.filter((e) => e.type === "step.start" && e.kind === "service");
    expect(steps.map((e) => (e.type === "step.start" ? e.name : ""))).toEqual([
      `host service ${front}→localhost:${port}`,
      `host service ${port}→localhost:${port}`,
    ]);
    // the relay is gone with the run: its port can be taken on every interface again
    const probe = net.createServer();
    const taken = await new Promise<boolean>((resolve) => {
      probe.once("error", () => resolve(true));
      probe.listen({ host: "0.0.0.0", port: front, exclusive: true }, () => resolve(false));
    });
    if (!taken) await new Promise<void>((res) => probe.close(() => res()));
    expect(taken).toBe(false);
    expect(docker(["ps", "-aq", "--filter", `label=gantry.run=${r.session.runId}`]).trim()).toBe(
      "",
    );
  });

  it("is shared by digest within a run, and is part of the consumer's cache key", async () => {
    const state = await makeStateDir();
    const front = await freePort();
    const nonce = `${Date.now()}`;
    const consumer = (p: number) =>
      dag
        .container()
        .from(BUSYBOX)
        .withEnvVariable("NONCE", nonce)
        .withServiceBinding("api", dag.host().service([{ frontend: front, backend: p }]))
        .withExec(["wget", "-qO-", `http://api:${front}/cached`]);
    const first = await runIn("docker", state, async () => {
      await consumer(port).sync();
      await consumer(port).withExec(["true"]).sync();
    });
    expect(
      first.events.filter((e) => e.type === "step.start" && e.kind === "service"),
    ).toHaveLength(1);
    // same definition in the next run: cached, no relay started
    const again = await runIn("docker", state, () => consumer(port).stdout());
    expect(again.value).toBe("hello from the host, path /cached\n");
    expect(
      again.events.filter((e) => e.type === "step.start" && e.kind === "service"),
    ).toHaveLength(0);
  });

  it("fails the consumer clearly when nothing listens on the host port", async () => {
    const state = await makeStateDir();
    const front = await freePort();
    const dead = await freePort();
    const prev = process.env.GANTRY_SERVICE_TIMEOUT;
    process.env.GANTRY_SERVICE_TIMEOUT = "2";
    try {
      const r = runIn("docker", state, () =>
        wget(
          `http://api:${front}/`,
          "api",
          dag.host().service([{ frontend: front, backend: dead }]),
        ).sync(),
      );
      await expect(r).rejects.toThrow(ServiceError);
      await expect(r).rejects.toThrow(
        `host service ${front}→localhost:${dead}: nothing accepted connections on localhost:${dead} (ECONNREFUSED) within 2 s`,
      );
    } finally {
      if (prev === undefined) delete process.env.GANTRY_SERVICE_TIMEOUT;
      else process.env.GANTRY_SERVICE_TIMEOUT = prev;
    }
  });

  it("says so at once when the host name does not resolve", async () => {
    const state = await makeStateDir();
    const front = await freePort();
    const started = Date.now();
    const r = runIn("docker", state, () =>
      wget(
        `http://api:${front}/`,
        "api",
        dag.host().service([{ frontend: front, backend: 80 }], { host: "nosuchhost.invalid" }),
      ).sync(),
    );
    await expect(r).rejects.toThrow(
      `host service ${front}→nosuchhost.invalid:80: the host name nosuchhost.invalid does not resolve on this machine`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses one frontend port relaying to two host targets in one run", async () => {
    const state = await makeStateDir();
    const front = await freePort();
    const other = http.createServer((_q, res) => res.end("other\n"));
    const otherPort = await listenLoopback(other);
    try {
      const r = runIn("docker", state, async () => {
        await wget(
          `http://a:${front}/`,
          "a",
          dag.host().service([{ frontend: front, backend: port }]),
        ).sync();
        await wget(
          `http://b:${front}/`,
          "b",
          dag.host().service([{ frontend: front, backend: otherPort }]),
        ).sync();
      });
      await expect(r).rejects.toThrow(
        `port ${front} of the run network already relays to localhost:${port}`,
      );
    } finally {
      await closeServer(other);
    }
  });

  it("never mixes up two host services started at the same time on one frontend port", async () => {
    const other = http.createServer((_q, res) => res.end("other\n"));
    const otherPort = await listenLoopback(other);
    try {
      for (let i = 0; i < 3; i++) {
        const state = await makeStateDir();
        const r = await runIn("docker", state, async () => {
          const a = dag.host().service([{ frontend: 18085, backend: port }]);
          const b = dag.host().service([{ frontend: 18085, backend: otherPort }]);
          return Promise.allSettled([
            wget("http://a:18085/a", "a", a).stdout(),
            wget("http://b:18085/b", "b", b).stdout(),
          ]);
        });
        const ok = r.value.filter((x) => x.status === "fulfilled").map((x) => x.value);
        const failed = r.value.filter((x) => x.status === "rejected").map((x) => String(x.reason));
        // exactly one gets its port; the other is refused by name, and nobody reads the other's server
        expect(ok).toHaveLength(1);
        expect(["hello from the host, path /a\n", "other\n"]).toContain(ok[0]);
        expect(failed[0]).toContain("port 18085 of the run network already relays to");
      }
      // the same target under two services shares the relay
      const shared = await runIn("docker", await makeStateDir(), async () => {
        const a = dag.host().service([{ frontend: 18086, backend: port }]);
        const b = dag.host().service([
          { frontend: 18086, backend: port },
          { frontend: 18087, backend: otherPort },
        ]);
        return Promise.all([
          wget("http://a:18086/shared", "a", a).stdout(),
          wget("http://b:18087/", "b", b).stdout(),
        ]);
      });
      expect(shared.value).toEqual(["hello from the host, path /shared\n", "other\n"]);
    } finally {
      await closeServer(other);
    }
  });

  it("is reachable from the run's containers only, not from other containers on the machine", async () => {
    const state = await makeStateDir();
    const r = await runIn("docker", state, async () => {
      const api = dag.host().service([{ frontend: 18088, backend: port }]);
      const inside = await wget("http://api:18088/in", "api", api).stdout();
      const gateway = await api.hostname();
      const outside = await runCommand("docker", [
        "run",
        "--rm",
        BUSYBOX,
        "wget",
        "-T",
        "3",
        "-qO-",
        `http://${gateway}:18088/out`,
      ]);
      return { inside, outside };
    });
    expect(r.value.inside).toBe("hello from the host, path /in\n");
    expect(r.value.outside.status).not.toBe(0);
    expect(r.value.outside.stdout).not.toContain("hello from the host");
  });

  it("stop() closes the relay, a later consumer starts it again; stopping one never started waits for nothing", async () => {
    const state = await makeStateDir();
    const dead = await freePort();
    const r = await runIn("docker", state, async () => {
      const api = dag.host().service([{ frontend: 18089, backend: port }]);
      const first = await wget("http://api:18089/1", "api", api).stdout();
      await api.stop();
      const second = await wget("http://api:18089/2", "api", api).stdout();
      const t0 = Date.now();
      await dag
        .host()
        .service([{ backend: dead }])
        .stop();
      return { first, second, stopMs: Date.now() - t0 };
    });
    expect(r.value.first).toBe("hello from the host, path /1\n");
    expect(r.value.second).toBe("hello from the host, path /2\n");
    expect(r.value.stopMs).toBeLessThan(2000);
    const starts = r.events.filter((e) => e.type === "step.start" && e.kind === "service");
    expect(starts).toHaveLength(2);
  });

  it("gives an IPv6 host's endpoint in brackets", async () => {
    const r = await runIn("docker", await makeStateDir(), () =>
      dag
        .host()
        .service([{ backend: 8080 }], { host: "::1" })
        .endpoint({ scheme: "http" }),
    );
    expect(r.value).toBe("http://[::1]:8080");
  });

  it("rejects bad ports at once, and up() on a host service", async () => {
    expect(() => dag.host().service([])).toThrow("Host.service: ports must be a non-empty array");
    expect(() => dag.host().service([{ backend: 0 }])).toThrow(
      "ports[0].backend must be 1–65535, got 0",
    );
    expect(() => dag.host().service([{ backend: 80, frontend: 70000 }])).toThrow(
      "ports[0].frontend must be 1–65535",
    );
    expect(() => dag.host().service([{ backend: 1 }, { backend: 2, frontend: 1 }])).toThrow(
      "frontend port 1 is given twice",
    );
    const state = await makeStateDir();
    await expect(
      runIn("docker", state, () =>
        dag
          .host()
          .service([{ backend: port }])
          .up(),
      ),
    ).rejects.toThrow(UsageError);
  });
});

describe("Service.stop()", () => {
  it("stops a started container service; using it again starts a new one; stopping an unstarted one is a no-op", async () => {
    const web = dag
      .container()
      .from(BUSYBOX)
      .withNewFile("/www/index.html", "web\n")
      .withExposedPort(8080)
      .asService({ args: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
    const r = await runIn("docker", await makeStateDir(), async () => {
      const session = currentSession();
      if (!session) throw new Error("no session");
      const running = () =>
        docker(["ps", "-q", "--filter", `label=gantry.run=${session.runId}`])
          .split("\n")
          .filter(Boolean);
      await web.stop(); // never started: nothing happens
      const before = running().length;
      await web.start();
      const first = running();
      await web.stop({ kill: true }); // busybox httpd as PID 1 ignores SIGTERM: kill, not wait
      const afterStop = running().length;
      const body = await wget("http://web:8080/", "web", web).stdout();
      const second = running();
      return { before, first, afterStop, body, second };
    });
    expect(r.value.before).toBe(0);
    expect(r.value.first).toHaveLength(1);
    expect(r.value.afterStop).toBe(0);
    expect(r.value.body).toBe("web\n");
    expect(r.value.second).toHaveLength(1);
    expect(r.value.second[0]).not.toBe(r.value.first[0]);
  });
});

describe("Service.up()", () => {
  it("publishes the service's port on the host until the run is cancelled, then removes it", async () => {
    const state = await makeStateDir();
    const hostPort = await freePort();
    const web = dag
      .container()
      .from(BUSYBOX)
      .withNewFile("/www/index.html", "served by up\n")
      .withExposedPort(8080)
      .asService({ args: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
    const r = await runIn("docker", state, async () => {
      const session = currentSession();
      if (!session) throw new Error("no session");
      const up = web.up({ ports: [{ frontend: hostPort, backend: 8080 }] });
      let body = "";
      for (let i = 0; i < 100 && body === ""; i++) {
        body = await fetch(`http://127.0.0.1:${hostPort}/`)
          .then((res) => res.text())
          .catch(() => "");
        if (body === "") await new Promise((res) => setTimeout(res, 200));
      }
      const running = docker(["ps", "-q", "--filter", `label=gantry.run=${session.runId}`]).trim();
      session.cancel("test: Ctrl-C");
      await up; // up() returns once the run is cancelled
      return { body, running };
    });
    expect(r.value.body).toBe("served by up\n");
    expect(r.value.running).not.toBe("");
    expect(docker(["ps", "-aq", "--filter", `label=gantry.run=${r.session.runId}`]).trim()).toBe(
      "",
    );
    const stillServed = await fetch(`http://127.0.0.1:${hostPort}/`).then(
      () => true,
      () => false,
    );
    expect(stillServed).toBe(false);
  });
});

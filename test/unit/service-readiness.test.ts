// waitReady against a fake runtime: what counts as ready for compose `up` and for pipelines' services, and what a
// failure says (the service once, its own output, the health check's output, a hint that fits).
import { describe, expect, it } from "vitest";
import { waitReady, type ReadinessInit } from "../../src/engine/services/readiness.js";
import type { ServiceRuntime, ServiceState } from "../../src/runtime/runtime.js";
import { ServiceError } from "../../src/errors.js";

// A runtime whose service is in `state`, and whose logs come from `logs` one read at a time (the last one repeats).
function fakeRuntime(state: ServiceState, logs: string[] = [""]): ServiceRuntime {
  let read = 0;
  const unused = () => Promise.reject(new Error("not used by readiness"));
  return {
    network: unused,
    startService: unused,
    serviceState: () => Promise.resolve(state),
    serviceLogs: () => Promise.resolve(logs[Math.min(read++, logs.length - 1)] ?? ""),
    followServiceLogs: unused,
    waitService: unused,
    stopService: unused,
    forwardHost: unused,
  };
}

function init(services: ServiceRuntime, more: Partial<ReadinessInit> = {}): ReadinessInit {
  return {
    services,
    svc: { id: "c1", ip: "10.0.0.2", hostPorts: {}, ipReachable: false },
    name: "crash",
    ports: [],
    useHealthcheck: false,
    timeoutMs: 5_000,
    signal: new AbortController().signal,
    ...more,
  };
}

async function failureOf(p: Promise<void>): Promise<ServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

describe("waitReady", () => {
  const exited: ServiceState = { running: false, exitCode: 0 };

  it("compose up: a one-shot with no port to check and no health check is ready once started, even if it exited", async () => {
    await expect(
      waitReady(init(fakeRuntime(exited, ["crashing\n"]), { startedIsReady: true })),
    ).resolves.toBeUndefined();
  });

  it("pipelines' services: one that exits before it is ready is still an error, naming it once, with its output", async () => {
    const err = await failureOf(
      waitReady(init(fakeRuntime({ running: false, exitCode: 4 }, ["crashing\n"]))),
    );
    expect(err.message).toBe(
      "service crash exited with code 4 before it was ready\n--- last lines of service crash ---\ncrashing",
    );
    expect(err.hint).not.toContain("GANTRY_SERVICE_TIMEOUT");
  });

  it("a service that must be healthy and dies fails even where started counts as ready (service_healthy)", async () => {
    const err = await failureOf(
      waitReady(
        init(fakeRuntime({ running: false, exitCode: 1 }, ["boom\n"]), {
          name: "db",
          useHealthcheck: true,
          startedIsReady: true,
        }),
      ),
    );
    expect(err.message).toContain("service db exited with code 1 before it was ready");
  });

  it("an unhealthy service: says so once, shows the check's own last output, and the hint is about the check", async () => {
    const state: ServiceState = {
      running: true,
      health: "unhealthy",
      failedHealthCheck: { exitCode: 1, output: "pg_isready: no response\n" },
    };
    const err = await failureOf(
      waitReady(init(fakeRuntime(state, ["db starting\n"]), { name: "db", useHealthcheck: true })),
    );
    expect(err.message).toBe(
      "service db is unhealthy: its health check failed\n--- last lines of service db ---\ndb starting\n" +
        "--- last health check (exit code 1) ---\npg_isready: no response",
    );
    expect(err.hint).toContain("health check");
    expect(err.hint).not.toMatch(/GANTRY_SERVICE_TIMEOUT|exposed ports/);
  });

  it("reads the log again before saying a service printed nothing (docker logs a fast exit a moment late)", async () => {
    const err = await failureOf(
      waitReady(init(fakeRuntime({ running: false, exitCode: 4 }, ["", "crashing\n"]))),
    );
    expect(err.message).toContain("--- last lines of service crash ---\ncrashing");
    const silent = await failureOf(waitReady(init(fakeRuntime({ running: false, exitCode: 4 }))));
    expect(silent.message).toBe(
      "service crash exited with code 4 before it was ready (no output was logged)",
    );
  });
});

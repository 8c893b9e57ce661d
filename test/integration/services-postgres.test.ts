// A real PostgreSQL as a service: consumers reach it as postgres:5432, run migrations, and share one instance per run.
import { describe, expect, it } from "vitest";
import { dag, ServiceError } from "../../src/sdk/index.js";
import { BUSYBOX, POSTGRES, docker, makeStateDir, runIn } from "../helpers/test-session.js";

function postgres(password: string) {
  return dag
    .container()
    .from(POSTGRES)
    .withEnvVariable("POSTGRES_PASSWORD", password)
    .withEnvVariable("POSTGRES_DB", "app")
    .withExposedPort(5432)
    .asService();
}

function psqlClient(db: ReturnType<typeof postgres>, nonce: string) {
  return dag
    .container()
    .from(POSTGRES)
    .withServiceBinding("postgres", db)
    .withEnvVariable("PGHOST", "postgres")
    .withEnvVariable("PGUSER", "postgres")
    .withEnvVariable("PGDATABASE", "app")
    .withEnvVariable("NONCE", nonce)
    .withSecretVariable("PGPASSWORD", dag.setSecret("pg", "pw-for-tests"));
}

describe("services: PostgreSQL", () => {
  it("runs migrations and queries against postgres:5432, two consumers sharing one service", async () => {
    const state = await makeStateDir();
    const nonce = String(Date.now());
    const db = postgres("pw-for-tests");
    const client = psqlClient(db, nonce);
    const r = await runIn("docker", state, async () => {
      const migrated = client
        .withNewFile(
          "/migrations/001.sql",
          "CREATE TABLE items (id serial primary key, name text);\nINSERT INTO items (name) VALUES ('a'), ('b');\n",
        )
        .withExec(["psql", "-v", "ON_ERROR_STOP=1", "-f", "/migrations/001.sql"]);
      await migrated.sync();
      // a second consumer, different command, same service: sees the first consumer's data
      const count = await client.withExec(["psql", "-tAc", "SELECT count(*) FROM items"]).stdout();
      const version = await client
        .withExec(["sh", "-c", "psql -tAc 'show server_version' | cut -d. -f1"])
        .stdout();
      return { count: count.trim(), version: version.trim() };
    });
    expect(r.value).toEqual({ count: "2", version: "15" });
    const serviceSteps = r.events.filter((e) => e.type === "step.start" && e.kind === "service");
    expect(serviceSteps).toHaveLength(1);
    // stopped and removed at the end of the run
    expect(docker(["ps", "-aq", "--filter", `label=gantry.run=${r.session.runId}`]).trim()).toBe(
      "",
    );
    expect(
      docker(["network", "ls", "-q", "--filter", `label=gantry.run=${r.session.runId}`]).trim(),
    ).toBe("");
    // the next run finds the consumer in its cache and so starts no PostgreSQL at all
    const again = await runIn("docker", state, () =>
      client.withExec(["psql", "-tAc", "SELECT count(*) FROM items"]).stdout(),
    );
    expect(again.value.trim()).toBe("2");
    expect(again.events.filter((e) => e.type === "step.start" && e.kind === "service")).toEqual([]);
  });

  it("waits for a port exposed after the withExec a service runs (the older style), as Dagger does", async () => {
    const state = await makeStateDir();
    // the server listens only after 2 s: a consumer that is not held until the port answers is refused
    const web = dag
      .container()
      .from(BUSYBOX)
      .withNewFile("/www/index.html", "late but there\n")
      .withExec(["sh", "-c", "sleep 2; exec httpd -f -p 8080 -h /www"])
      .withExposedPort(8080)
      .asService();
    const r = await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withServiceBinding("web", web)
        .withExec(["wget", "-qO-", "http://web:8080/"])
        .stdout(),
    );
    expect(r.value).toBe("late but there\n");
  });

  it("fails the consumer with the service's own last log lines when it dies", async () => {
    const state = await makeStateDir();
    const broken = dag
      .container()
      .from(BUSYBOX)
      .withExposedPort(8080)
      .asService({ args: ["sh", "-c", "echo 'fatal: config file missing' >&2; exit 2"] });
    const err = await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withServiceBinding("api", broken)
        .withExec(["echo", String(Math.random())])
        .sync(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toContain("fatal: config file missing");
    expect((err as Error).message).toContain("exited with code 2");
  });

  it("is ready only when its port accepts connections, with no tool inside the image", async () => {
    const state = await makeStateDir();
    // busybox nc listens only after a delay; the consumer must not run before that
    const web = dag
      .container()
      .from(BUSYBOX)
      .withExposedPort(9000)
      .asService({ args: ["sh", "-c", "sleep 2; while true; do echo pong | nc -l -p 9000; done"] });
    const r = await runIn("docker", state, () =>
      dag
        .container()
        .from(BUSYBOX)
        .withServiceBinding("web", web)
        .withExec(["sh", "-c", `echo ${Math.random()} >/dev/null; nc web 9000 </dev/null`])
        .stdout(),
    );
    expect(r.value.trim()).toBe("pong");
  });
});

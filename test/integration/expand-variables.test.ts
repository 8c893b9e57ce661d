// Dagger's `expand: true`: `${VAR}` and `$VAR` are the container's variables at that point of the chain, in withExec's
// args, withWorkdir, file and directory paths and mount targets, and in file()/directory() reads — not only in
// withEnvVariable (they were taken literally: a file at /app/${APP}.conf). Both runtimes; an unset variable is empty.
import { describe, expect, it } from "vitest";
import { dag } from "../../src/sdk/index.js";
import { BUSYBOX, makeStateDir, runIn } from "../helpers/test-session.js";

describe.each(["docker", "host"] as const)("expand: true on the %s runtime", (runtime) => {
  it("expands the container's variables in args, the workdir, paths and mount targets", async () => {
    const state = await makeStateDir();
    const nonce = String(Math.random());
    const r = await runIn(runtime, state, async () => {
      const c = dag
        .container()
        .from(BUSYBOX)
        .withEnvVariable("APP", "demo")
        .withEnvVariable("NONCE", nonce)
        .withWorkdir("/srv/${APP}", { expand: true })
        .withNewFile("/app/${APP}.conf", "conf\n", { expand: true })
        .withDirectory("/opt/$APP", dag.directory().withNewFile("a.txt", "a\n"), {
          expand: true,
        })
        .withMountedTemp("/tmp/${APP}-scratch", { expand: true })
        .withExec(
          [
            "sh",
            "-c",
            'echo "args: $1 $2 [$3]"; pwd; cat /app/demo.conf /opt/demo/a.txt; test -d /tmp/demo-scratch && echo mounted',
            "sh",
            "${APP}",
            "$APP",
            "${UNSET_IN_THIS_CONTAINER}",
          ],
          { expand: true },
        );
      return {
        out: await c.stdout(),
        file: await c.file("/app/${APP}.conf", { expand: true }).contents(),
        dir: await c.directory("/opt/${APP}", { expand: true }).entries(),
        literal: await c.withExec(["echo", "${APP}"]).stdout(),
      };
    });
    expect(r.value.out).toBe("args: demo demo []\n/srv/demo\nconf\na\nmounted\n");
    expect(r.value.file).toBe("conf\n");
    expect(r.value.dir).toEqual(["a.txt"]);
    // without expand, as Dagger: the text is passed as written
    expect(r.value.literal).toBe("${APP}\n");
  });
});

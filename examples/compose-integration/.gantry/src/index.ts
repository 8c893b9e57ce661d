// Integration tests from the project's docker-compose.yml: build every image, smoke-run each, start the
// services, run the validator, and fail with the validator's exit code and output when it fails.
import { Directory, ExecError, object, func, argument } from "@dagger.io/dagger";
import { composeProject } from "gantry";

@object()
export class ComposeIntegration {
  /** Build, smoke-run, start and validate the compose setup. */
  @func()
  async integration(
    @argument({ defaultPath: ".", ignore: [".gantry"] }) source: Directory,
    expectItems: string = "3",
  ): Promise<string> {
    const stack = await composeProject(source, {
      profiles: ["test"],
      env: { EXPECT_ITEMS: expectItems },
    });
    const built = stack.names().filter((n) => n !== "db");
    // every image builds and runs a trivial command before anything depends on it
    await Promise.all(built.map((n) => stack.container(n).withExec(["echo", "ok"]).sync()));
    const result = await stack.run("validator");
    if (result.exitCode !== 0) {
      throw new ExecError({
        cmd: ["compose run validator"],
        exitCode: result.exitCode,
        stdout: result.logs,
        stderr: "",
      });
    }
    return result.logs;
  }
}

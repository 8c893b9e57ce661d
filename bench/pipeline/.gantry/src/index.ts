// The benchmark pipeline: copy a 200-file tree, three independent checks, then a build step.
// bench/pipeline/Dockerfile is the same pipeline for `docker build` (BuildKit runs its stages in parallel).
import { argument, dag, Directory, object, func } from "@dagger.io/dagger";

@object()
export class BenchPipeline {
  /** Run the checks in parallel, then the build; returns the build's listing. */
  @func()
  async ci(source: Directory, image: string = "gantry-test/busybox:latest"): Promise<string> {
    const base = dag.container().from(image).withDirectory("/src", source).withWorkdir("/src");
    const checks = [
      ["sh", "-c", "sleep 1; find . -type f | wc -l > /tmp/count; cat /tmp/count"],
      ["sh", "-c", "sleep 1; grep -rl 'export' . | wc -l"],
      ["sh", "-c", "sleep 1; cat $(find . -name '*.js') | wc -c"],
    ];
    await Promise.all(checks.map((c) => base.withExec(c).sync()));
    return base
      .withExec(["sh", "-c", "sleep 1; mkdir -p /out && tar -cf /out/app.tar . && ls -la /out"])
      .stdout();
  }

  /** Three steps, each reading one folder (pkg0, pkg1, pkg2): a change in one folder re-runs one step. */
  @func()
  async parts(source: Directory, image: string = "gantry-test/busybox:latest"): Promise<string> {
    const outs = await Promise.all(
      ["pkg0", "pkg1", "pkg2"].map((dir) =>
        dag
          .container()
          .from(image)
          .withDirectory("/src", source.directory(dir))
          .withWorkdir("/src")
          .withExec(["sh", "-c", "sleep 1; cat $(find . -type f) | wc -c"])
          .stdout(),
      ),
    );
    return outs.join("");
  }

  /** N independent steps over the same source (the growth curve against the number of steps). */
  @func()
  async fanout(
    source: Directory,
    n: number,
    image: string = "gantry-test/busybox:latest",
  ): Promise<string> {
    const base = dag.container().from(image).withDirectory("/src", source).withWorkdir("/src");
    const outs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        base.withExec(["sh", "-c", `echo step ${i}; ls | wc -l`]).stdout(),
      ),
    );
    return outs.join("");
  }

  /** One step that counts the files of a source with node_modules and build folders ignored. */
  @func()
  async count(
    @argument({ ignore: ["node_modules", "build"] }) source: Directory,
    image: string = "gantry-test/busybox:latest",
  ): Promise<string> {
    return dag
      .container()
      .from(image)
      .withDirectory("/src", source)
      .withWorkdir("/src")
      .withExec(["sh", "-c", "find . -type f | wc -l"])
      .stdout();
  }
}

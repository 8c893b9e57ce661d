// The benchmark pipeline: copy a 200-file tree, three independent checks, then a build step.
// bench/pipeline/Dockerfile is the same pipeline for `docker build` (BuildKit runs its stages in parallel).
import { dag, Directory, object, func } from "@dagger.io/dagger";

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
}

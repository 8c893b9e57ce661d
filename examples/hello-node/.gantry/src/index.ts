// The pipeline of the hello-node example: format, lint and test in parallel, then build.
import { dag, Container, Directory, object, func, argument } from "@dagger.io/dagger";

/** CI for a small Node HTTP service. */
@object()
export class HelloNode {
  image: string;

  /**
   * @param image the Node image every step runs in
   */
  constructor(image: string = "node:22-bookworm-slim") {
    this.image = image;
  }

  /** A Node container with the project source installed. */
  @func()
  base(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Container {
    return dag
      .container()
      .from(this.image)
      .withMountedCache("/root/.npm", dag.cacheVolume("hello-node-npm"))
      .withDirectory("/app", source)
      .withWorkdir("/app")
      .withExec(["npm", "ci", "--no-audit", "--no-fund"]);
  }

  /** Check formatting. */
  @func()
  async format(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Promise<string> {
    return this.base(source).withExec(["npm", "run", "format:check"]).stdout();
  }

  /** Lint the sources. */
  @func()
  async lint(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Promise<string> {
    return this.base(source).withExec(["npm", "run", "lint"]).stdout();
  }

  /** Run the unit tests. */
  @func()
  async test(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Promise<string> {
    return this.base(source).withExec(["npm", "test"]).stdout();
  }

  /** Build dist/. */
  @func()
  build(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Directory {
    return this.base(source).withExec(["npm", "run", "build"]).directory("/app/dist");
  }

  /** The whole pipeline: format, lint and test in parallel, then build; returns a summary. */
  @func()
  async ci(
    @argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }) source: Directory,
  ): Promise<string> {
    await Promise.all([this.format(source), this.lint(source), this.test(source)]);
    const files = await this.build(source).entries();
    return `format, lint and test passed; build produced: ${files.join(", ")}`;
  }
}

// What Gantry cannot make is refused where it is asked for, never dropped: another platform, multi-platform variants,
// other layer compressions or media types (a Dagger user's multi-arch publish pushed one empty image instead). And
// Dagger's TypeScript name `import_` is there.
import { describe, expect, it } from "vitest";
import {
  dag,
  Container,
  ImageLayerCompression,
  ImageMediaTypes,
  UnsupportedError,
} from "../../src/sdk/index.js";
import { hostPlatform } from "../../src/sdk/platform.js";

const other = hostPlatform() === "linux/arm64" ? "linux/amd64" : "linux/arm64";

describe("image options Gantry cannot honour", () => {
  it("refuses another platform in dag.container and dockerBuild, and takes this machine's", () => {
    expect(() => dag.container({ platform: other })).toThrow(UnsupportedError);
    expect(() => dag.container({ platform: other })).toThrow(
      `dag.container({ platform }): "${other}" — Gantry builds for this machine's platform (${hostPlatform()}) only`,
    );
    expect(dag.container({ platform: hostPlatform() })).toBeInstanceOf(Container);
    expect(() => dag.directory().dockerBuild({ platform: other })).toThrow(/dockerBuild/);
  });

  it("refuses platform variants, another compression and OCI media types on publish, export and asTarball", async () => {
    const c = dag.container().from("gantry-test/busybox:latest");
    await expect(c.publish("127.0.0.1:5000/x:1", { platformVariants: [c] })).rejects.toThrow(
      /platformVariants.*multi-platform images are not made by Gantry/,
    );
    await expect(
      c.export("/tmp/x.tar", { forcedCompression: ImageLayerCompression.Zstd }),
    ).rejects.toThrow(
      'Container.export({ forcedCompression: "Zstd" }): Gantry writes gzip layers only',
    );
    expect(() => c.asTarball({ mediaTypes: ImageMediaTypes.OCIMediaTypes })).toThrow(
      /Docker's image media types only/,
    );
    // what Gantry writes anyway is accepted
    expect(() =>
      c.asTarball({
        forcedCompression: ImageLayerCompression.Gzip,
        mediaTypes: ImageMediaTypes.DockerMediaTypes,
      }),
    ).not.toThrow();
  });

  it("has Dagger's import_ beside import", () => {
    const tarball = dag.container().from("gantry-test/busybox:latest").asTarball();
    expect(dag.container().import_(tarball)).toBeInstanceOf(Container);
  });
});

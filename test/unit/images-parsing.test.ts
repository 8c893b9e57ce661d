// The pure pieces of images (no engine needed): publish refs, registry matching, .dockerignore and FROM parsing.
import { describe, expect, it } from "vitest";
import { parseDockerignore } from "../../src/engine/images/build-context.js";
import { dockerfileBaseImages } from "../../src/engine/images/dockerfile-bases.js";
import {
  parsePublishRef,
  registryOf,
  registryOfAddress,
} from "../../src/engine/images/image-ref.js";
import { UsageError } from "../../src/errors.js";
import { filterTree } from "../../src/store/tree-ops.js";
import type { Tree } from "../../src/store/tree.js";

describe("publish refs", () => {
  it("adds :latest to a ref without a tag and finds the registry as docker does", () => {
    expect(parsePublishRef("127.0.0.1:5000/team/app")).toEqual({
      registry: "127.0.0.1:5000",
      ref: "127.0.0.1:5000/team/app:latest",
    });
    expect(parsePublishRef("ghcr.io/org/app:1.2.3")).toEqual({
      registry: "ghcr.io",
      ref: "ghcr.io/org/app:1.2.3",
    });
    expect(parsePublishRef("localhost/app:dev").registry).toBe("localhost");
    expect(parsePublishRef("user/app").registry).toBe("docker.io");
    expect(parsePublishRef("app").ref).toBe("app:latest");
  });

  it("refuses digests, upper case names and bad tags with a UsageError", () => {
    expect(() => parsePublishRef("reg.io/app@sha256:abc")).toThrow(UsageError);
    expect(() => parsePublishRef("reg.io/App:1")).toThrow(/name component/);
    expect(() => parsePublishRef("reg.io/app:-bad")).toThrow(/tag/);
  });

  it("matches withRegistryAuth addresses to registries, Docker Hub under any of its names", () => {
    expect(registryOfAddress("127.0.0.1:5001")).toBe("127.0.0.1:5001");
    expect(registryOfAddress("https://index.docker.io/v1/")).toBe("docker.io");
    expect(registryOfAddress("docker.io")).toBe("docker.io");
    expect(registryOfAddress("GHCR.io/org/app")).toBe("ghcr.io");
    expect(registryOfAddress("user/app")).toBe("docker.io");
    expect(registryOf("registry-1.docker.io/library/busybox")).toBe("docker.io");
  });
});

describe(".dockerignore", () => {
  const tree: Tree = {
    entries: {
      "a.md": { type: "file", mode: 0o644, digest: "sha256:1", size: 1 },
      docs: { type: "dir", mode: 0o755 },
      "docs/keep.md": { type: "file", mode: 0o644, digest: "sha256:2", size: 1 },
      "docs/drop.md": { type: "file", mode: 0o644, digest: "sha256:3", size: 1 },
      "b.md": { type: "file", mode: 0o644, digest: "sha256:4", size: 1 },
    },
  };

  it("drops comments and blanks, keeps ! re-includes; the last matching rule wins", () => {
    const patterns = parseDockerignore(
      "\uFEFF# comment\n\n  docs  \n! docs/keep.md\n*.md\n!b.md\n",
    );
    expect(patterns).toEqual(["docs", "!docs/keep.md", "*.md", "!b.md"]);
    expect(Object.keys(filterTree(tree, { exclude: patterns }).entries).sort()).toEqual([
      "b.md",
      "docs",
      "docs/keep.md",
    ]);
  });
});

describe("Dockerfile base images", () => {
  it("lists external FROM images, not stages or scratch, with global ARGs and build args substituted", () => {
    const text = [
      "# syntax=docker/dockerfile:1",
      "ARG BASE=busybox:1",
      'ARG TOOLS="alpine:3"',
      "FROM --platform=linux/amd64 ${BASE} AS build",
      "RUN make \\",
      "  all",
      "FROM build AS test",
      "FROM scratch",
      "COPY --from=build /out /",
      "from $TOOLS",
      "FROM ${MISSING:-debian:12}",
    ].join("\n");
    expect(dockerfileBaseImages(text, {})).toEqual(["busybox:1", "alpine:3", "debian:12"]);
    expect(dockerfileBaseImages(text, { BASE: "busybox:2" })[0]).toBe("busybox:2");
  });

  it("honours the escape directive for line continuations", () => {
    const text = "# escape=`\nFROM `\n  windows:ltsc AS w\nRUN dir\n";
    expect(dockerfileBaseImages(text, {})).toEqual(["windows:ltsc"]);
  });
});

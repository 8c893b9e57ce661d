// What a failed pull says: whether the registry was out of reach (and what to do then) or answered no.
import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { ImageError } from "../../src/errors.js";
import { pullImage, type PulledWith } from "../../src/runtime/docker/images/image-resolver.js";
import { handleError } from "../../src/cli/handle-error.js";
import { imageDefaults, imageDefaultHint } from "../../src/cli/image-default-hint.js";
import type { ParamSignature } from "../../src/module/signature.js";

// A client whose pull fails as the engine's does: an error with the engine's message.
function failingPull(message: string): Dockerode {
  return {
    pull: () => Promise.reject(Object.assign(new Error(message), { statusCode: 500 })),
  } as unknown as Dockerode;
}

async function pullError(message: string, with_?: PulledWith): Promise<ImageError> {
  const err = await pullImage(
    failingPull(message),
    "acme/app:1",
    new AbortController().signal,
    with_,
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ImageError);
  return err as ImageError;
}

describe("a failed pull", () => {
  it("says the registry could not be reached when the engine could not dial it", async () => {
    const err = await pullError(
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host ',
    );
    expect(err.message).toBe(
      'image acme/app:1 is not on this machine, and pulling it failed (its registry could not be reached): Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
    );
    expect(err.hint).toMatch(/^connect to the registry/);
    expect(err.ref).toBe("acme/app:1");
  });

  it("points at the name, the tag and docker login when the registry answered no", async () => {
    const err = await pullError("pull access denied for acme/app, repository does not exist");
    expect(err.message).toBe(
      "image acme/app:1 is not on this machine, and pulling it failed: pull access denied for acme/app, repository does not exist",
    );
    expect(err.hint).toMatch(
      /check the name and tag; .*withRegistryAuth\("docker\.io", user, secret\) or run `docker login`/,
    );
  });

  it("names where the refused credentials came from, and never repeats the password", async () => {
    const auth = {
      username: "me",
      password: "s3cret-pw",
      serveraddress: "https://index.docker.io/v1/",
    };
    const given = await pullError("unauthorized: bad credentials s3cret-pw", {
      auth,
      source: "withRegistryAuth",
    });
    expect(given.message).toBe(
      "image acme/app:1 is not on this machine, and pulling it failed: unauthorized: bad credentials ***",
    );
    expect(given.hint).toContain("https://index.docker.io/v1/ given with withRegistryAuth");
    const own = await pullError("unauthorized", { auth, source: "docker config" });
    expect(own.hint).toContain("in your Docker config (docker login)");
  });
});

describe("a failed pull of an image a flag names by default", () => {
  const params: ParamSignature[] = [
    { name: "baseImage", type: { kind: "string" }, optional: true, default: '"acme/app:1"' },
    { name: "tag", type: { kind: "string" }, optional: true, default: "`v${1}`" },
    { name: "count", type: { kind: "number" }, optional: true, default: "3" },
    { name: "other", type: { kind: "string" }, optional: true, default: "'busybox'" },
    { name: "required", type: { kind: "string" }, optional: false },
  ];

  it("finds string defaults and their flags, not templates with ${} or other types", () => {
    expect(imageDefaults(params)).toEqual([
      { ref: "acme/app:1", flag: "--base-image" },
      { ref: "busybox", flag: "--other" },
    ]);
  });

  it("tells which flag picks another image, after the pull's own hint; other images get no such hint", async () => {
    const err = await pullError("dial tcp: lookup registry-1.docker.io: no such host");
    let text = "";
    expect(
      handleError(
        err,
        { write: (t: string) => (text += t) },
        { imageDefaults: imageDefaults(params) },
      ),
    ).toBe(1);
    expect(text).toMatch(
      /^Hint: connect to the registry .*; or give this call an image this machine has: `--base-image=REF` \(acme\/app:1 is --base-image's default\)\n$/m,
    );
    // wrapped as a cause too
    expect(
      imageDefaultHint(new Error("function failed", { cause: err }), imageDefaults(params)),
    ).toMatch(/--base-image=REF/);
    expect(imageDefaultHint(err, imageDefaults(params.slice(1)))).toBeUndefined();
    expect(imageDefaultHint(new ImageError("x"), imageDefaults(params))).toBeUndefined();
  });
});

// What a failed pull says: whether the registry was out of reach (and what to do then) or answered no.
import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { ImageError } from "../../src/errors.js";
import { pullImage } from "../../src/runtime/docker/images/image-resolver.js";

// A client whose pull fails as the engine's does: an error with the engine's message.
function failingPull(message: string): Dockerode {
  return {
    pull: () => Promise.reject(Object.assign(new Error(message), { statusCode: 500 })),
  } as unknown as Dockerode;
}

async function pullError(message: string): Promise<ImageError> {
  const err = await pullImage(
    failingPull(message),
    "acme/app:1",
    new AbortController().signal,
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
  });

  it("points at the name, the tag and docker login when the registry answered no", async () => {
    const err = await pullError("pull access denied for acme/app, repository does not exist");
    expect(err.message).toBe(
      "image acme/app:1 is not on this machine, and pulling it failed: pull access denied for acme/app, repository does not exist",
    );
    expect(err.hint).toMatch(/check the name and tag, run `docker login`/);
  });
});

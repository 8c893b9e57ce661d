// Container.build: a Dockerfile build as one visible step, keyed by what it reads, reused across runs while its image exists.
import path from "node:path";
import type { Session } from "../session.js";
import type { ExternalImageResult } from "../session-parts.js";
import type { ImageConfig, ImageRuntime, Snapshot } from "../../runtime/runtime.js";
import { digestHex, digestOf, keyedSecretHash } from "../../store/digest.js";
import { treeDigest } from "../../store/tree.js";
import { LineScrubber } from "../scrubber.js";
import { resolveImage } from "../evaluate/container.js";
import { startStep } from "../evaluate/steps.js";
import { buildContext, type BuildContext } from "./build-context.js";
import { dockerfileBaseImages } from "./dockerfile-bases.js";
import type { BuildPayload } from "./image-payloads.js";
import { requireImageRuntime } from "./image-runtime.js";

interface BuildRecord {
  snapshot: Snapshot;
  config: ImageConfig;
  time: number;
}

/** Built images are tagged `gantry-build:<digest hex>` so the engine keeps them for the next run. */
export const BUILD_REPO = "gantry-build";

// Registered as the "build" external resolver.
export async function resolveBuild(s: Session, payload: unknown): Promise<ExternalImageResult> {
  const p = payload as BuildPayload;
  const images = requireImageRuntime(s, "image builds");
  const context = await buildContext(s, p);
  const buildArgs = Object.fromEntries(p.buildArgs.map((a) => [a.name, a.value]));
  // Secrets reach RUN --mount=type=secret,id=<name>; the key holds only a keyed hash of each value.
  const secrets: Record<string, string> = {};
  for (const secret of p.secrets) {
    const value = await secret.resolve();
    s.scrubber.add(value);
    secrets[secret.name] = value;
  }
  const secretKeys = Object.entries(secrets)
    .map(([name, value]) => [name, keyedSecretHash(s.secretKey, value)])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const bases = await baseImageIds(s, dockerfileBaseImages(context.dockerfileText, buildArgs));
  const digest = digestOf({
    v: 1,
    build: treeDigest(context.tree),
    dockerfile: context.dockerfile,
    buildArgs,
    target: p.target,
    ...(secretKeys.length ? { secrets: secretKeys } : {}),
    bases,
    runtime: s.runtime.name,
  });
  const rec = (await s.flights.run(`build:${digest}`, () =>
    runBuild(s, images, { ...p, buildArgs, secrets }, context, digest),
  )) as BuildRecord;
  return { snapshot: rec.snapshot, digest, config: rec.config };
}

// The content id of each FROM image, so a retagged base changes the key; a base that cannot be resolved keys by name
// and the build itself reports the problem.
async function baseImageIds(s: Session, refs: string[]): Promise<[string, string][]> {
  return Promise.all(
    refs.map(async (ref): Promise<[string, string]> => {
      try {
        return [ref, (await resolveImage(s, ref)).id];
      } catch {
        return [ref, "unresolved"];
      }
    }),
  );
}

type ResolvedPayload = Omit<BuildPayload, "buildArgs" | "secrets"> & {
  buildArgs: Record<string, string>;
  secrets: Record<string, string>;
};

// A cached image is reused while the engine still has it; otherwise build, streaming the builder's output to the step.
async function runBuild(
  s: Session,
  images: ImageRuntime,
  p: ResolvedPayload,
  context: BuildContext,
  digest: string,
): Promise<BuildRecord> {
  s.throwIfCancelled();
  const step = startStep(s, {
    name: `docker build ${contextLabel(s, p)}${context.dockerfile}${p.target ? ` --target ${p.target}` : ""}`,
    kind: "build",
    digest,
  });
  const known = await s.store.getRecord<BuildRecord>("build", digest);
  if (known && (await s.runtime.hasSnapshot(known.snapshot))) {
    step.end("cached");
    return known;
  }
  const miss = known
    ? "its cached image was removed from the engine (pruned)"
    : "no earlier build of this context, Dockerfile, arguments and base images";
  const out = new LineScrubber(s.scrubber, (t) => step.log("stdout", t));
  let built;
  try {
    built = await s.limiter.use(
      () =>
        images.build({
          context: context.tree,
          dockerfile: context.dockerfile,
          buildArgs: p.buildArgs,
          target: p.target,
          secrets: p.secrets,
          tag: `${BUILD_REPO}:${digestHex(digest)}`,
          signal: s.signal,
          onOutput: (_stream, chunk) => out.push(chunk),
        }),
      s.signal,
    );
  } catch (e) {
    out.flush();
    // The builder's words may quote a secret (a RUN that printed one): mask them before anyone sees the error.
    if (e instanceof Error) {
      e.message = s.scrub(e.message);
      if (e.stack) e.stack = s.scrub(e.stack);
    }
    step.end(s.signal.aborted ? "cancelled" : "failed", {
      miss,
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
  out.flush();
  step.end("done", { miss });
  s.snapshotsMade.push(built.id); // the size limit's estimate counts what the build added on the engine
  const rec: BuildRecord = { snapshot: built.id, config: built.config, time: Date.now() };
  await s.store.putRecord("build", digest, rec);
  return rec;
}

// A host context is named by its folder (`docker build test/containers/api: Dockerfile`), so parallel builds are told apart.
function contextLabel(s: Session, p: ResolvedPayload): string {
  if (p.context.op !== "host") return "";
  const abs = path.resolve(s.cwd, p.context.path);
  const rel = path.relative(s.cwd, abs);
  return `${rel === "" ? "." : rel.startsWith("..") ? abs : rel}: `;
}

// How an exec's filesystem becomes a snapshot image: tagged by its digest, with the exec's own config and Gantry's
// labels (`cache ls|prune|gc` find images by them). Both ways of running an exec commit through this.
import type { ExecSpec } from "../../runtime.js";
import { digestHex } from "../../../store/digest.js";
import { LABELS } from "../cleanup/labels.js";
import type { DockerRunContext } from "../connection/run-context.js";
import type { CommitOptions } from "./commit.js";
import { userOf, workdirOf } from "./exec-config.js";

/** Committed exec snapshots are tagged `gantry-cache:<digest hex>`. */
export const SNAPSHOT_REPO = "gantry-cache";

// The exec's config (not a wrapper's or a shim's): its args as Cmd, so `docker history` reads as the pipeline.
export function execCommitOptions(ctx: DockerRunContext, spec: ExecSpec): CommitOptions {
  return {
    repo: SNAPSHOT_REPO,
    tag: digestHex(spec.digest),
    comment: `gantry: ${spec.step}`.slice(0, 200),
    config: {
      Env: spec.env,
      WorkingDir: workdirOf(spec),
      User: userOf(spec),
      Entrypoint: [],
      Cmd: spec.args,
      Labels: { ...ctx.ownerLabels, [LABELS.managed]: "true", [LABELS.digest]: spec.digest },
    },
  };
}

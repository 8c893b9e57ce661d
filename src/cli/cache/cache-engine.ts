// `cache ls|prune|gc` reach the engine like a run would choose it: docker when one answers (`--runtime auto`),
// never with `--runtime host`, and a clear error with `--runtime docker` when none does.
import type { CacheObjects } from "../../engine/api/index.js";
import { RuntimeUnavailableError } from "../../errors.js";
import { openEngineResources } from "../../runtime/engine-resources.js";
import type { CliIo } from "../cli-io.js";
import type { GlobalOptions } from "../global-flags.js";

/** The engine's Gantry objects, or why there are none to look at (a note for the person). */
export async function openCacheObjects(
  globals: GlobalOptions,
  io: CliIo,
): Promise<{ objects?: CacheObjects; note?: string }> {
  if (globals.runtime === "host") return { note: "engine: not looked at (--runtime host)" };
  try {
    return { objects: (await openEngineResources(io.env)).cacheObjects };
  } catch (e) {
    if (globals.runtime === "docker" || !(e instanceof RuntimeUnavailableError)) throw e;
    return { note: `engine: none answered (${e.message.split(":")[0]}); the state dir only` };
  }
}

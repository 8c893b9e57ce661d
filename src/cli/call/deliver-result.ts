// Where a call's result goes: printed (as text or `--json`), or saved on the host with `-o PATH` as `dagger call -o`
// saves it (a Directory or File exported, a Container as an image tarball, anything else written as its text).
import { statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../../errors.js";
import type { SdkModule } from "../../module/load-module.js";
import type { ModuleSignature } from "../../module/signature.js";
import { exportText } from "../../store/host-export.js";
import type { ResultOptions } from "./call-flags.js";
import { formatJson } from "./json-result.js";
import { formatResult } from "./format-result.js";

type Sdk = Pick<
  SdkModule,
  "Container" | "Directory" | "File" | "Secret" | "Service" | "CacheVolume"
>;

export interface DeliveredResult {
  /** What to print on stdout (nothing after an export). */
  stdout?: string;
  /** The line saying where `-o` wrote the result, for stderr once the progress view has stopped. */
  saved?: string;
}

export interface DeliverContext {
  sdk: Sdk;
  sig: ModuleSignature;
  cwd: string;
  /** What stdout gets scrubbed with: a result saved to a file is scrubbed the same way. */
  scrub: (text: string) => string;
}

/** Print or save a call's result; evaluates lazy SDK objects. */
export async function deliverResult(
  value: unknown,
  opts: ResultOptions,
  ctx: DeliverContext,
): Promise<DeliveredResult> {
  const { sdk, sig, cwd } = ctx;
  const render = () =>
    opts.json ? formatJson(value, sdk, sig, { cwd }) : formatResult(value, sdk, sig);
  if (opts.output === undefined) return { stdout: await render() };
  const abs = path.resolve(cwd, opts.output);
  if (
    value instanceof sdk.Container ||
    value instanceof sdk.Directory ||
    value instanceof sdk.File
  ) {
    await value.export(abs);
    return { saved: `Saved to ${JSON.stringify(abs)}.` };
  }
  const text = (await render()) ?? "";
  // a string is saved as it is (a function returning a file's text round-trips); other text ends its last line
  const asIs = text === "" || (typeof value === "string" && !opts.json);
  const saved = asIs ? text : text.replace(/\n?$/, "\n");
  await exportText(abs, ctx.scrub(saved));
  // printed too, as dagger call -o does: the file is a copy of what the terminal shows
  return { stdout: text, saved: `Saved output to ${JSON.stringify(abs)}.` };
}

/**
 * Before anything runs: `-o`'s path must not lie under a file (a pipeline that takes minutes should not run for a
 * result that cannot be saved). What is at the path itself is checked by the export, which knows the result's kind.
 */
export function checkOutputPath(output: string, cwd: string): void {
  const abs = path.resolve(cwd, output);
  for (let cur = path.dirname(abs); ; cur = path.dirname(cur)) {
    let isDir: boolean;
    try {
      isDir = statSync(cur).isDirectory();
    } catch {
      if (cur === path.dirname(cur)) return;
      continue; // missing (the export creates it), or unreadable (the export says why)
    }
    if (isDir) return;
    throw new UsageError(
      `-o ${output}: cannot save the result to ${abs}: ${cur} is a file, not a directory`,
      {
        hint: `choose an -o path whose parent folders are directories, or remove ${cur}`,
      },
    );
  }
}

// The words `gantry core` starts a chain with: the root's (`dag`'s) constructors, as Dagger's `dagger core` offers them.
import type { CoreTypeName, ParamSignature, TypeRef } from "../../module/signature.js";
import type { Callable } from "../call/callable.js";

const STRING: TypeRef = { kind: "string" };
const core = (name: CoreTypeName): TypeRef => ({ kind: "core", name });
const required = (name: string, type: TypeRef, doc: string): ParamSignature => ({
  name,
  type,
  doc,
  optional: false,
});

type Root = Record<string, (...a: unknown[]) => unknown>;

/**
 * The root's words. No `set-secret`: a secret's value typed on the command line would land in the shell's history
 * and the run's record; `secret --source` takes where the value is instead (env:, file:, cmd:), as call's flags do.
 * No `git` yet: its chain (branch, tag, tree) has no words in the table.
 */
export const ROOT_CALLABLES: readonly Callable[] = [
  {
    cliName: "container",
    doc: "An empty container; chain from --address=IMAGE to start from an image",
    params: [],
    returns: core("Container"),
    invoke: (t) => (t as Root).container?.(),
  },
  {
    cliName: "directory",
    doc: "An empty directory",
    params: [],
    returns: core("Directory"),
    invoke: (t) => (t as Root).directory?.(),
  },
  {
    cliName: "http",
    doc: "A file downloaded over HTTP(S) when it is used",
    params: [required("url", STRING, "the file's URL")],
    returns: core("File"),
    invoke: (t, a) => (t as Root).http?.(a[0]),
  },
  {
    cliName: "cache-volume",
    doc: "A cache volume, kept between runs",
    params: [required("key", STRING, "the volume's name")],
    returns: core("CacheVolume"),
    invoke: (t, a) => (t as Root).cacheVolume?.(a[0]),
  },
  {
    cliName: "secret",
    doc: "A secret read from where it is kept (never typed on the command line)",
    params: [
      required(
        "source",
        core("Secret"),
        "where the value comes from: env:NAME, file:PATH or cmd:COMMAND",
      ),
    ],
    returns: core("Secret"),
    // the flag is already the Secret (made by the same conversion call's Secret flags use)
    invoke: (_t, a) => a[0],
  },
];

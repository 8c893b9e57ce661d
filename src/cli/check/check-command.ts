// `gantry check`: every @check() function of the module in parallel, a table of results, non-zero if any failed.
import { TaskError, UsageError } from "../../errors.js";
import { findModule } from "../../module/find-module.js";
import { loadModule, startModuleLoad } from "../../module/load-module.js";
import { materializeArgs } from "../../module/materialize-args.js";
import type { UnknownFlagHook } from "../../module/parse-flags.js";
import { prepareArgs } from "../../module/prepare-args.js";
import { loadSignature } from "../../module/signature-cache.js";
import { mainObjectOf } from "../../module/signature.js";
import type { RawValue } from "../../module/parse-flags.js";
import { objectCallables } from "../call/callable.js";
import { prescanModFlag, printWarnings, runtimeAhead } from "../call/command-helpers.js";
import { prepareRuntime } from "../../runtime/open-runtime.js";
import type { CliIo } from "../cli-io.js";
import { withCliRun } from "../cli-run.js";
import type { ErrorContext } from "../error-context.js";
import { imageDefaults } from "../image-default-hint.js";
import { firstLine, formatTable } from "../format-table.js";
import { consumeGlobalFlag, type GlobalOptions } from "../global-flags.js";
import { GLOBAL_FLAGS_HELP } from "../help-text.js";
import { parseCheckArgs, selectChecks } from "./check-args.js";
import { runChecks, checkTable, failureSections } from "./run-checks.js";

const HELP = `Run the module's checks (functions marked @check()) in parallel and print a table of results.

Usage: gantry check [PATTERN…] [--skip PATTERN] [--failfast] [-l] [CONSTRUCTOR FLAGS]

  PATTERN            run only the checks whose names match (globs: lint, "test*")
  --skip PATTERN     leave out the checks that match (repeatable, or comma-separated)
  --failfast         stop the other checks at the first failure
  -l, --list         list the checks instead of running them

A check passes when it returns and fails when it throws; one that reports "not checked:" is shown as not
checked. The exit status is 1 when any check failed.

${GLOBAL_FLAGS_HELP}`;

/** Run `gantry check …`; `rest` is everything after the word `check`. */
export async function runCheck(
  globals: GlobalOptions,
  rest: string[],
  io: CliIo,
  errors: ErrorContext,
): Promise<number> {
  const onUnknown: UnknownFlagHook = (name, inline, tokens, i) =>
    consumeGlobalFlag(globals, name, inline, tokens, i);
  prescanModFlag(rest, globals);
  if (globals.help || rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(HELP);
    return 0;
  }
  // the host sandbox probe runs while the module is read
  const runtimeStart = prepareRuntime(runtimeAhead(rest, globals));
  const mod = findModule({
    cwd: io.cwd,
    ...(globals.mod !== undefined ? { modDir: globals.mod } : {}),
  });
  // the bundle starts before TypeScript reads the signature (when that is not cached): see startModuleLoad
  const { digest, sdkEntry, sdk, bundle } = await startModuleLoad(mod, {
    stateDir: io.env.stateDir,
    cwd: io.cwd,
    packages: false,
  });
  const { signature: sig } = await loadSignature(mod, { stateDir: io.env.stateDir, digest });
  printWarnings(io, [...mod.warnings, ...sig.warnings]);
  const main = mainObjectOf(sig);
  const ctorValues = new Map<string, RawValue>();
  const args = parseCheckArgs(
    rest,
    { owner: sig.moduleName, params: main.constructorParams, values: ctorValues },
    onUnknown,
  );
  const callables = objectCallables(main);
  // objectCallables keeps the order of main.functions, so the i-th callable is the i-th function
  const checkNames = callables.filter((_, i) => main.functions[i]?.check === true);
  if (checkNames.length === 0) {
    throw new UsageError(
      `${sig.moduleName} has no checks: mark functions with @check() (import { check } from "gantry")`,
    );
  }
  const selected = selectChecks(
    checkNames.map((c) => c.cliName),
    args,
  );
  if (args.list) {
    const rows = checkNames
      .filter((c) => selected.includes(c.cliName))
      .map((c) => [c.cliName, firstLine(c.doc)] as const);
    io.stdout.write(`${formatTable([["Name", "Description"], ...rows], "")}\n`);
    return 0;
  }
  const chosen = checkNames.filter((c) => selected.includes(c.cliName));
  if (chosen.length === 0) throw new UsageError("--skip left no checks to run");
  const prepareCtx = { cwd: io.cwd, hostEnv: io.hostEnv, mod };
  errors.imageDefaults = imageDefaults(main.constructorParams);
  const ctorArgs = prepareArgs(main.constructorParams, ctorValues, sig.moduleName, prepareCtx);
  // a check takes no flags, but its parameters' defaults (a defaultPath directory, a value) are its arguments
  const defaultsOnly = { ...prepareCtx, defaultsOnly: { command: "check" } };
  const checkArgs = new Map(
    chosen.map((c) => [c.cliName, prepareArgs(c.params, new Map(), c.cliName, defaultsOnly)]),
  );
  const loaded = await loadModule({
    mod,
    digest: digest.digest,
    signature: sig,
    sdkEntry,
    sdk,
    stateDir: io.env.stateDir,
    cwd: io.cwd,
    ...(bundle ? { bundle } : {}),
  });
  errors.fn = "check";
  let failed = 0;
  await withCliRun(
    { globals, io, errors, projectDir: mod.rootDir, label: "check", prepared: runtimeStart },
    async (session) => {
      const materialize = { dag: sdk.dag, cwd: io.cwd, hostEnv: io.hostEnv };
      const target = new loaded.mainClass(...(await materializeArgs(ctorArgs, materialize)));
      const results = await runChecks(session, target, chosen, {
        failfast: args.failfast,
        cwd: io.cwd,
        args: (c) => materializeArgs(checkArgs.get(c.cliName) ?? [], materialize),
      });
      io.stdout.write(`${checkTable(results)}\n`);
      const bad = results.filter((r) => r.status === "failed" || r.status === "cancelled");
      failed = bad.length;
      // --dry-run: checks that would run end the run as a dry run's stop (the ○ steps, exit 0) when none failed
      const stop = results.find((r) => r.stop)?.stop;
      if (failed === 0 && stop) throw stop;
      if (failed > 0) {
        const sections = failureSections(bad);
        throw new TaskError(`${failed} of ${results.length} checks failed\n\n${sections}`, {
          tasks: bad.map((r) => r.name),
        });
      }
      return undefined;
    },
  );
  return failed > 0 ? 1 : 0;
}

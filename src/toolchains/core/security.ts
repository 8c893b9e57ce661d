// `security`: the ecosystem's dependency audit (or a plain "not checked") and an offline scan for committed secrets.
import {
  dag,
  ExecError,
  ImageError,
  ReturnType,
  type Container,
  type Directory,
} from "../../sdk/index.js";
import { commandArgv, showCommand, type Command } from "./command.js";
import type { ToolchainPlan } from "./toolchain-plan.js";
import { EXTRA_CA } from "./workspace.js";
import { AFTER_TOOL_CHECK, MISSING_TOOL_MARKER } from "../../engine/api/index.js";
import { notFoundLine, toolPlace } from "./missing-tool.js";

const SECRETLINT = "9.3.4"; // the last release that runs on Node 16–20 as well as 22

// A missing audit tool (exit 127) is a fact of the image, not of today's network: the wrapper (missing-tool.ts)
// turns it into exit 0 with a marker so the engine caches it and a warm ci runs nothing.

// Both streams of a finished exec, as a person would have seen them.
async function outputOf(c: Container): Promise<string> {
  const [out, err] = await Promise.all([c.stdout(), c.stderr()]);
  return [out, err].filter((s) => s.trim() !== "").join("\n");
}

// The line that says why the audit could not run, for the "not checked" note.
function reason(output: string, unreachable: RegExp): string {
  const line = output.split("\n").find((l) => unreachable.test(l)) ?? output.split("\n")[0] ?? "";
  return line
    .replace(/^npm (ERR!|error|warn)\s*/i, "")
    .trim()
    .slice(0, 200);
}

/**
 * The dependency audit in the installed workspace. Advisories change daily, so its result is cached for the
 * day it ran. When the advisory service cannot be reached the result says `not checked:` with the reason,
 * never "passed"; vulnerabilities fail with the tool's own report.
 */
export async function auditDependencies(plan: ToolchainPlan, ws: Container): Promise<string> {
  if (!plan.audit) return `not checked: no dependency audit is configured for ${plan.language}`;
  const argv = commandArgv(plan.audit);
  const ran = ws
    .withEnvVariable("GANTRY_AUDIT_DAY", new Date().toISOString().slice(0, 10))
    // a subshell, so a command that says `exit 127` itself still reaches the check after it
    .withExec(["sh", "-c", `(${showCommand(plan.audit)}\n)\n${AFTER_TOOL_CHECK}`], {
      expect: ReturnType.Any,
    });
  const [code, stdout, stderr] = await Promise.all([ran.exitCode(), ran.stdout(), ran.stderr()]);
  const output = [stdout, stderr].filter((s) => s.trim() !== "").join("\n");
  if (code === 0 && stderr.trimEnd().endsWith(MISSING_TOOL_MARKER)) {
    const said = notFoundLine(stderr);
    return `not checked: dependency audit (${auditName(plan.audit)}) is not installed ${toolPlace(plan.image).where}${said ? ` (${said})` : ""}`;
  }
  if (code === 0) return `dependency audit (${auditName(plan.audit)}): no known vulnerabilities`;
  if (plan.auditUnreachable.test(output)) {
    return `not checked: dependency audit (${auditName(plan.audit)}) could not reach its advisory service: ${reason(output, plan.auditUnreachable)}`;
  }
  throw new ExecError({ cmd: argv, exitCode: code, stdout, stderr });
}

// The audit as a person would name it: the command a guarded shell line runs (`if mix help hex.audit …; then mix
// hex.audit; else …; fi` is `mix hex.audit`), else the command as written.
function auditName(cmd: Command): string {
  const line = showCommand(cmd);
  return /^if .*?; then (.+?); else .*; fi$/s.exec(line)?.[1] ?? line;
}

/** The source scanned by secretlint's recommended rules (AWS, GCP, GitHub, Slack, npm tokens, private keys…). */
export async function scanSecrets(plan: ToolchainPlan, source: Directory): Promise<string> {
  if (!plan.secretScan) return "not checked: the secret scan is turned off (secretScan: false)";
  let scanner = dag.container().from(plan.scanImage);
  if (plan.caCerts) {
    scanner = scanner
      .withMountedFile(EXTRA_CA, plan.caCerts)
      .withEnvVariable("NODE_EXTRA_CA_CERTS", EXTRA_CA);
  }
  const pkgs = [
    `secretlint@${SECRETLINT}`,
    `@secretlint/secretlint-rule-preset-recommend@${SECRETLINT}`,
  ];
  const ran = scanner
    .withMountedCache("/root/.npm", dag.cacheVolume("gantry-npm"))
    .withExec(["npm", "install", "--prefix", "/opt/secretlint", "--no-audit", "--no-fund", ...pkgs])
    .withNewFile(
      "/opt/secretlint/.secretlintrc.json",
      JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }),
    )
    .withMountedDirectory("/src", source)
    .withWorkdir("/src")
    .withExec(
      [
        "/opt/secretlint/node_modules/.bin/secretlint",
        "--secretlintrc",
        "/opt/secretlint/.secretlintrc.json",
        "--maskSecrets",
        "**/*",
      ],
      { expect: ReturnType.Any },
    );
  const code = await ran.exitCode().catch((err: unknown) => {
    // the scan's own image (not the project's) could not be had: say whose it is and how to choose another or none
    const ownImage = plan.scanImage !== plan.image;
    if (!(err instanceof ImageError) || !ownImage || !err.message.includes(plan.scanImage))
      throw err;
    throw new ImageError(
      `the secret scan runs secretlint in its own image, ${plan.scanImage} (the toolchain's scanImage option), not the project's: ${err.message}`,
      {
        cause: err,
        hint: `give the toolchain scanImage: "<a Node image this machine has or can pull>", or turn the scan off with secretScan: false${err.hint ? `; ${err.hint}` : ""}`,
      },
    );
  });
  if (code === 0) return "secret scan (secretlint): no committed secrets found";
  const output = await outputOf(ran);
  throw new ExecError({
    cmd: ["secretlint", "**/*"],
    exitCode: code,
    stdout: output,
    stderr: "",
  });
}

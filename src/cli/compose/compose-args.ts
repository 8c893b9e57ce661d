// `gantry compose` arguments: the subcommand, -f files, -p, --profile, --detach, services and a command after `--`.
import { UsageError } from "../../errors.js";
import { consumeGlobalFlag, splitFlagToken, type GlobalOptions } from "../global-flags.js";

export interface ComposeArgs {
  sub: "up" | "run" | "down" | "config";
  files: string[];
  projectName?: string;
  /** --project-directory: where relative paths in the files and `.env` are read from, and files are looked for. */
  projectDirectory?: string;
  profiles: string[];
  detach: boolean;
  services: string[];
  command?: string[];
  help: boolean;
  /** Internal: a detached `up` runs as a background `up` that writes this file once everything is up. */
  readyFile?: string;
}

const SUBS = ["up", "run", "down", "config"] as const;

// Global flags (--runtime, --progress) may also come after `compose`, as for every command.
function takeGlobal(
  globals: GlobalOptions,
  tok: string,
  rest: readonly string[],
  i: number,
): number | undefined {
  const [name, inline] = splitFlagToken(tok);
  return consumeGlobalFlag(globals, name, inline, rest, i);
}

/** Parse what follows `gantry compose`. */
export function parseComposeArgs(rest: readonly string[], globals?: GlobalOptions): ComposeArgs {
  const out: ComposeArgs = {
    sub: "config",
    files: [],
    profiles: [],
    detach: false,
    services: [],
    help: false,
  };
  let sub: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i] as string;
    if (t === "--") {
      out.command = rest.slice(i + 1);
      break;
    }
    const [flag, inline] =
      t.startsWith("--") && t.includes("=")
        ? [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)]
        : [t, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "-f" || flag === "--file") out.files.push(value());
    else if (flag === "-p" || flag === "--project-name") out.projectName = value();
    else if (flag === "--project-directory") out.projectDirectory = value();
    else if (flag === "--profile") out.profiles.push(value());
    else if (flag === "-d" || flag === "--detach") out.detach = true;
    else if (flag === "-h" || flag === "--help") out.help = true;
    else if (flag === "--ready-file") out.readyFile = value();
    else if (flag.startsWith("-")) {
      const next = globals && flag.startsWith("--") ? takeGlobal(globals, t, rest, i) : undefined;
      if (next !== undefined) {
        i = next - 1;
        continue;
      }
      throw new UsageError(
        `unknown flag ${flag} for gantry compose: flags are -f/--file, -p/--project-name, --project-directory, --profile, -d/--detach, --help (and the global --runtime, --progress)`,
      );
    } else if (sub === undefined) sub = t;
    else out.services.push(t);
  }
  if (sub === undefined) {
    if (out.help) return out;
    throw new UsageError(`gantry compose needs a subcommand: ${SUBS.join(", ")}`);
  }
  if (!(SUBS as readonly string[]).includes(sub))
    throw new UsageError(`unknown compose subcommand "${sub}": use ${SUBS.join(", ")}`);
  out.sub = sub as ComposeArgs["sub"];
  if (out.sub === "run" && out.services.length !== 1)
    throw new UsageError(
      "gantry compose run takes exactly one service: gantry compose run SERVICE [-- CMD...]",
    );
  if (out.command && out.sub !== "run")
    throw new UsageError("a command after -- is only for gantry compose run");
  return out;
}

export const COMPOSE_HELP = `Usage: gantry compose [-f FILE]... [-p NAME] [--project-directory DIR] [--profile P] SUBCOMMAND

Run a docker-compose project on Gantry's engine (no docker-compose needed).

  up [--detach] [SERVICE...]   start services (and what they depend on); Ctrl-C stops and removes them
  run SERVICE [-- CMD...]      start SERVICE's dependencies, run it to completion, exit with its exit code
  down                         remove what a detached 'up' of this project left running
  config                       print the normalised model (after interpolation, env_file, merging)

Flags: -f/--file FILE (repeatable), -p/--project-name NAME, --profile NAME (repeatable), -d/--detach,
  --project-directory DIR (relative paths in the files and .env start there; default: the first file's folder).
`;

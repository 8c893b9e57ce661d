// A service's final environment: its env files in order, then `environment`, later values winning.
// A bare `KEY` takes its value from the project environment (the shell, then .env) or, when that
// has none, removes the variable, as docker-compose does, even if an env file set it.
import path from "node:path";
import type { ParsedService } from "./parsed-types.js";
import { readDotenvFile } from "./read-dotenv.js";

export interface EnvironmentContext {
  /** Project directory: relative env_file paths start here. */
  dir: string;
  /** Project environment: the shell's variables over those of `.env`. */
  env: Record<string, string | undefined>;
  warnings: string[];
  /** How to show a file in messages. */
  display: (file: string) => string;
}

// Applies one variable: a value sets it, null/undefined looks it up or removes it.
function apply(
  out: Record<string, string>,
  key: string,
  value: string | null | undefined,
  env: EnvironmentContext["env"],
) {
  const v = value ?? env[key];
  if (v === undefined) delete out[key];
  else out[key] = v;
}

/** Reads the service's env files and applies `environment` over them. */
export async function resolveEnvironment(
  svc: ParsedService,
  ctx: EnvironmentContext,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const ef of svc.envFiles ?? []) {
    const file = path.resolve(ctx.dir, ef.path);
    const vars = await readDotenvFile(file, ctx.display(file), ctx.warnings, (k) => ctx.env[k]);
    if (!vars) {
      if (ef.required)
        ef.at.fail(
          `env file ${ctx.display(file)} not found (set required: false to make it optional)`,
        );
      continue;
    }
    for (const [k, v] of Object.entries(vars)) apply(out, k, v, ctx.env);
  }
  for (const [k, v] of Object.entries(svc.environment ?? {})) apply(out, k, v, ctx.env);
  return out;
}

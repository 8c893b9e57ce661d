// One compose file after type checking, before merging and resolution: every value has its final
// type, but paths are unresolved, env files unread, and an absent key (undefined) means "this file
// does not set it", so that merging `-f` files can tell override from default. Entries that a
// later check may reject carry their `at`, so the error names the file that wrote them.
import type { At } from "./at.js";
import type { ComposePort, DependsOnCondition } from "./compose-types.js";

export type ParsedMount =
  | { type: "volume"; source?: string; target: string; readOnly: boolean; at: At }
  | { type: "bind"; source: string; target: string; readOnly: boolean; at: At }
  | { type: "tmpfs"; target: string; at: At };

export interface ParsedBuild {
  context?: string;
  dockerfile?: string;
  /** null: take the value from the environment. */
  args?: Record<string, string | null>;
  target?: string;
}

export interface ParsedHealthcheck {
  /** ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]. */
  test?: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  disable?: boolean;
}

export interface ParsedEnvFile {
  path: string;
  required: boolean;
  at: At;
}

export interface ParsedDependency {
  condition: DependsOnCondition;
  required: boolean;
  at: At;
}

export interface ParsedService {
  /** Where the service was first defined. */
  at: At;
  image?: string;
  build?: ParsedBuild;
  command?: string[];
  entrypoint?: string[];
  /** null: take the value from the environment, or drop the variable. */
  environment?: Record<string, string | null>;
  envFiles?: ParsedEnvFile[];
  dependsOn?: Record<string, ParsedDependency>;
  healthcheck?: ParsedHealthcheck;
  ports?: ComposePort[];
  expose?: number[];
  networks?: Record<string, { aliases: string[]; at: At }>;
  volumes?: ParsedMount[];
  tmpfs?: ParsedMount[];
  workingDir?: string;
  user?: string;
  profiles?: string[];
  restart?: string;
  labels?: Record<string, string | null>;
}

export interface ParsedResource {
  name?: string;
  external?: boolean;
  at: At;
}

export interface ParsedComposeFile {
  at: At;
  name?: string;
  services: Record<string, ParsedService>;
  volumes: Record<string, ParsedResource>;
  networks: Record<string, ParsedResource>;
}

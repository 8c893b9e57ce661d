// The normalised docker-compose model: what `gantry compose up|run|down|config` act on, after
// interpolation, merging of `-f` files, defaults and path resolution. Nothing here is raw YAML.

/** A whole compose project. */
export interface ComposeProject {
  name: string;
  /** Absolute project directory: relative paths (build contexts, bind mounts, env files) start here. */
  dir: string;
  /** Services enabled by the active profiles (services without `profiles` are always enabled). */
  services: Record<string, ComposeService>;
  /** Services defined but disabled by their profiles; `selectServices` still finds them by name. */
  disabledServices: Record<string, ComposeService>;
  /** Profiles that were active when the project was loaded. */
  activeProfiles: string[];
  /** Keyed by the name used in the file; `name` is the engine-side name (`<project>_<key>` unless set). */
  volumes: Record<string, ComposeResource>;
  networks: Record<string, ComposeResource>;
}

/** A top-level named volume or network. */
export interface ComposeResource {
  name: string;
  external: boolean;
}

export type DependsOnCondition =
  "service_started" | "service_healthy" | "service_completed_successfully";

export interface ComposeDependency {
  condition: DependsOnCondition;
  /** `required: false`: a dependency that is missing or disabled is skipped instead of started. */
  required: boolean;
}

export interface ComposeBuild {
  /** Absolute path of the build context. */
  context: string;
  /** Relative to the context, as the Docker build API takes it. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

export interface ComposeHealthcheck {
  /** `["CMD", ...]` or `["CMD-SHELL", "..."]`; `[]` keeps the image's own HEALTHCHECK test. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ComposePort {
  target: number;
  published?: number;
  hostIp?: string;
  protocol: "tcp" | "udp";
}

/** `source` of a volume mount is the key under top-level `volumes:`; absent for an anonymous volume. */
export type ComposeMount =
  | { type: "volume"; source?: string; target: string; readOnly: boolean }
  | { type: "bind"; source: string; target: string; readOnly: boolean }
  | { type: "tmpfs"; target: string };

export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  command?: string[];
  entrypoint?: string[];
  /** env_file(s) first, in order, then `environment`. */
  environment: Record<string, string>;
  dependsOn: Record<string, ComposeDependency>;
  healthcheck?: ComposeHealthcheck | { disabled: true };
  ports: ComposePort[];
  expose: number[];
  /** Network key → aliases; `{ default: { aliases: [] } }` when the service names none. */
  networks: Record<string, { aliases: string[] }>;
  volumes: ComposeMount[];
  workingDir?: string;
  user?: string;
  profiles: string[];
  restart?: string;
  labels: Record<string, string>;
}

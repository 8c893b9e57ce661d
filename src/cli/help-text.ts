// The top-level help; kept apart from main.ts so the entry point stays small.

export const GLOBAL_FLAGS_HELP = `Global flags:
  -m, --mod DIR          the module: a folder with gantry.json, dagger.json or .gantry/ (default: found from the current folder)
  --runtime MODE         docker, host or auto (default auto, or GANTRY_RUNTIME)
  --progress MODE        auto, tty, plain or json (default auto: tty on a terminal, plain in CI; json: docs/events.md)
  -v, --verbose          keep every step and all of its output on screen
  --debug                also step ids, digests, Gantry's notes and stack traces (or GANTRY_DEBUG=1)
  --no-color             no colours (as NO_COLOR=1; FORCE_COLOR=1 forces them in pipes)
  --explain              for every step that ran, say which inputs changed since it last ran
  --dry-run              print the plan and what would come from cache; run nothing
  -i, --interactive      when a step fails, open a shell in its container (gantry call)
  -h, --help             show help
  --version              print Gantry's version
`;

/** `gantry --help`. */
export function topHelp(): string {
  return `Gantry runs your pipeline, written in TypeScript, in containers or on the host.

Usage: gantry [GLOBAL FLAGS] COMMAND [ARGS]

Commands:
  functions              list the module's functions
  call FUNCTION [CHAIN]  call a function and print its result, e.g. gantry call test --source=. (-o PATH, --json)
  core WORD [CHAIN]      call the core API without a module, e.g. gantry core container from --address=IMAGE
  check [PATTERN…]       run the module's checks in parallel and print a table of results
  init                   detect the project's toolchain and write a .gantry/ module using the presets
  develop                write the module's editor types (sdk/ and tsconfig.json), as dagger develop
  install REF            add a module dependency (a folder or a git ref) to dagger.json
  compose SUBCOMMAND     run a docker-compose file: up, run SERVICE, down, config
  cache explain [RUN] [STEP]  why the steps of a run did not come from cache
  cache ls|prune|gc      the cache's size, removing it, collecting it down to its limit (GANTRY_CACHE_LIMIT)
  report [RUN]           write a run's HTML report (timeline, logs, tests) and print its path
  ci generate github     write GitHub Actions workflows that call the module's functions
  doctor                 check the runtime, engine, BuildKit, disk space and sandbox, with fixes

${GLOBAL_FLAGS_HELP}
Run "gantry COMMAND --help" for a command's help.
`;
}

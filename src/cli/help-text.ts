// The top-level help; kept apart from main.ts so the entry point stays small.

export const GLOBAL_FLAGS_HELP = `Global flags:
  -m, --mod DIR          the module: a folder with gantry.json, dagger.json or .gantry/ (default: found from the current folder)
  --runtime MODE         docker, host or auto (default auto, or GANTRY_RUNTIME)
  --progress MODE        auto, tty, plain or json (default auto: tty on a terminal, plain in CI)
  -h, --help             show help
  --version              print Gantry's version
`;

/** `gantry --help`. */
export function topHelp(): string {
  return `Gantry runs your pipeline, written in TypeScript, in containers or on the host.

Usage: gantry [GLOBAL FLAGS] COMMAND [ARGS]

Commands:
  functions              list the module's functions
  call FUNCTION [CHAIN]  call a function and print its result, e.g. gantry call test --source=.
  check [PATTERN…]       run the module's checks in parallel and print a table of results
  init                   detect the project's toolchain and write a .gantry/ module using the presets
  compose SUBCOMMAND     run a docker-compose file: up, run SERVICE, down, config

${GLOBAL_FLAGS_HELP}
Run "gantry COMMAND --help" for a command's help.
`;
}

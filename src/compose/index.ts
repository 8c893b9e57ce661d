// The compose model's public surface, for the `gantry compose` commands.
export type * from "./compose-types.js";
export { loadComposeProject, type LoadComposeOptions, type LoadedCompose } from "./load-compose.js";
export { findComposeFile, COMPOSE_FILE_NAMES } from "./find-compose-file.js";
export { selectServices } from "./select-services.js";
export { renderComposeConfig } from "./compose-config.js";
export { Interpolator, interpolateTree, type Lookup } from "./interpolate.js";
export { parseDotenv } from "./read-dotenv.js";
export { splitCommand } from "./split-command.js";
export { parseDuration } from "./parse-duration.js";

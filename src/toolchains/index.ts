// The presets a module imports from "gantry": each gives a project the task catalog from its own tools.
export { Toolchain } from "./core/toolchain.js";
export { Database } from "./core/database.js";
export type { Command } from "./core/command.js";
export type { ToolchainOptions, DbOptions, PostgresOptions } from "./core/toolchain-options.js";
export { NodeToolchain, node, type NodeOptions } from "./node/node-toolchain.js";
export { PythonToolchain, python, type PythonOptions } from "./python/python-toolchain.js";

// The presets a module imports from "gantry": each gives a project the task catalog from its own tools.
export { Toolchain, toolchain } from "./core/toolchain.js";
export { Database } from "./core/database.js";
export { Dev } from "./core/dev.js";
export type { Command } from "./core/command.js";
export type { TaskRunner } from "./core/recipes.js";
export type {
  ToolchainOptions,
  DbOptions,
  DevOptions,
  PostgresOptions,
} from "./core/toolchain-options.js";
export { NodeToolchain, node, type NodeOptions } from "./node/node-toolchain.js";
export { PythonToolchain, python, type PythonOptions } from "./python/python-toolchain.js";
export { GoToolchain, go, type GoOptions } from "./go/go-toolchain.js";
export { BunToolchain, bun, type BunOptions } from "./bun/bun-toolchain.js";
export { ElixirToolchain, elixir, type ElixirOptions } from "./elixir/elixir-toolchain.js";

#!/usr/bin/env node
// The installed `gantry` command: everything lives in the compiled CLI.
import { runCli } from "../dist/cli/main.js";

await runCli();

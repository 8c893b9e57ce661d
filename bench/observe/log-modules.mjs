// `node --import ./log-modules.mjs …`: append every resolved module URL to $GANTRY_MODULE_LOG (one per line).
import { register } from "node:module";

register("./log-modules-hooks.mjs", import.meta.url);

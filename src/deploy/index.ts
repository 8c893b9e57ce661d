// The deploy layer's public face: what src/index.ts exports for modules to wrap in their own @func()s.
export { deploy, releases, rollback, formatReleases } from "./deploy.js";
export { recordChecksPassed } from "./quality-gate.js";
export type { DeployOptions, DeployResult, DeployTarget, RollbackOptions } from "./deploy-types.js";
export type { Release, ReleaseState } from "./release-history.js";

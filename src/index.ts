// The package's public entry (`gantry`, and `@dagger.io/dagger` in modules): the SDK, docker-compose projects and the
// toolchain presets, which sit a layer above the SDK since they are built from its objects.
export * from "./sdk/index.js";
export { composeProject, ComposeStack, type ComposeProjectOpts } from "./compose/compose-stack.js";
export {
  deploy,
  releases,
  rollback,
  formatReleases,
  recordChecksPassed,
  type DeployOptions,
  type DeployResult,
  type DeployTarget,
  type RollbackOptions,
  type Release,
  type ReleaseState,
} from "./deploy/index.js";
export * from "./toolchains/index.js";

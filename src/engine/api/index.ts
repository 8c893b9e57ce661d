// The engine's one seam for the layers above it (the SDK, compose): node types to build graphs, and one call per leaf.
// Nothing above the engine imports an engine file but this one, nor the store or a runtime.
export type * from "../nodes.js";
export { EMPTY_CONTAINER, isHostService, imageName } from "../nodes.js";
export type { BuildPayload, ImportPayload } from "../images/image-payloads.js";
export type { ExecResult } from "../evaluate/exec.js";
export type { ImageConfig } from "../../runtime/runtime.js";
export type { RunEvent, EventSink, MissReason, StepKind, StepStatus } from "../events.js";
export { EventBus, EVENTS_VERSION } from "../events.js";
export { describeReason, summarizeMiss } from "../cache/miss-summary.js";
export { TEST_REPORTS_VAR } from "../evaluate/test-reports.js";
export {
  AFTER_TOOL_CHECK,
  MISSING_TOOL_MARKER,
  withoutToolCheck,
} from "../evaluate/tool-check-wrapper.js";
export {
  openSession,
  type PreparedRuntime,
  type RuntimeChoice,
  type OpenSessionOptions,
} from "../open-session.js";
export { requireSession, currentSession, type Session, type TerminalHost } from "../session.js";
export * from "./container-api.js";
export * from "./directory-api.js";
export * from "./service-api.js";
export * from "./git-api.js";
export { maskSecret } from "./secret-api.js";
export { installInterrupts, type SignalSource } from "../interrupts.js";
export * from "./deploy-api.js";
export type * from "../../runtime/deployment-runtime.js";
export * from "./cache-api.js";
export * from "./checks-api.js";

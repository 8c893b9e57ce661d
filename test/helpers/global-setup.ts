// Before any test: make sure the engine answers and the test base images exist (the same script CI runs).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { dockerAvailable } from "./test-session.js";

export default function setup(): void {
  if (!dockerAvailable()) {
    // In CI a missing engine is a failure, not a reason to skip: .ci/run starts one.
    if (process.env.CI === "true")
      throw new Error(
        "Docker engine not reachable: .ci/run should have started dockerd (scripts/ensure-docker.sh)",
      );
    console.warn(
      "\n[gantry tests] No Docker engine answers: integration tests that need it will fail. Run scripts/ensure-docker.sh first.\n",
    );
    return;
  }
  execFileSync("bash", [path.join(import.meta.dirname, "../../scripts/test-images.sh")], {
    stdio: "inherit",
  });
}

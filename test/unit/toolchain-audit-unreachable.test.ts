// An audit whose advisory service did not answer checked nothing: pnpm's way of saying so (vercel/ms behind a
// proxy that times out and then answers 405) must read as "not checked", like npm's, never as vulnerabilities.
import { describe, expect, it } from "vitest";
import { resolvePlan } from "../../src/toolchains/core/toolchain-plan.js";

const plan = resolvePlan(
  {},
  {
    language: "node (pnpm)",
    image: "node:22-bookworm-slim",
    workdir: "/app",
    env: {},
    exclude: [],
    depsFiles: [],
    caches: [],
  },
);

describe("an audit that could not reach its service", () => {
  it("recognises pnpm's timeout and bad response", () => {
    const pnpm = [
      " WARN  post https://registry.npmjs.org/-/npm/v1/security/audits error (ERR_SOCKET_TIMEOUT). Will retry in 10 seconds. 2 retries left.",
      " ERR_PNPM_AUDIT_BAD_RESPONSE  The audit endpoint (at https://registry.npmjs.org/-/npm/v1/security/audits) responded with 405: ",
    ];
    for (const line of pnpm) expect(plan.auditUnreachable.test(line)).toBe(true);
  });

  it("does not take a report of vulnerabilities for an unreachable service", () => {
    const found =
      "1 vulnerabilities found\nSeverity: 1 high\n│ high │ Regular Expression Denial of Service │";
    expect(plan.auditUnreachable.test(found)).toBe(false);
  });
});

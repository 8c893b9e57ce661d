// Where and how spans go, from the standard OTEL_* variables (read in env.ts): URL, protocol, headers, resource.
import type { GantryEnv } from "../../env.js";

export interface OtelConfig {
  url: string;
  protocol: "http/protobuf" | "http/json";
  headers: Record<string, string>;
  serviceName: string;
  resourceAttributes: Record<string, string>;
}

/** Whether spans are to be exported at all: an endpoint is set and the SDK is not disabled. */
export function otelEnabled(env: GantryEnv): boolean {
  return !env.otelDisabled && !!(env.otlpTracesEndpoint || env.otlpEndpoint);
}

// `k=v,k2=v%20x` (the OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES syntax) → a record; malformed pairs are skipped.
function parsePairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(
        pair.slice(i + 1).trim(),
      );
    } catch {
      // a bad escape: skip the pair, as the SDK does
    }
  }
  return out;
}

/**
 * The exporter's settings. The spec's rules: a signal-specific endpoint is used as is; the base endpoint gets
 * `/v1/traces` appended. grpc is not supported (it needs a gRPC stack): say so, and what to set instead.
 */
export function otelConfig(env: GantryEnv): { config?: OtelConfig; problem?: string } {
  const protocol = env.otlpProtocol ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json")
    return {
      problem: `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: set it to http/protobuf or http/json (an OTLP/HTTP endpoint, usually port 4318); spans are not exported`,
    };
  const url = env.otlpTracesEndpoint ?? `${(env.otlpEndpoint ?? "").replace(/\/+$/, "")}/v1/traces`;
  const resourceAttributes = parsePairs(env.otelResourceAttributes);
  return {
    config: {
      url,
      protocol,
      headers: parsePairs(env.otlpHeaders),
      serviceName: env.otelServiceName ?? resourceAttributes["service.name"] ?? "gantry",
      resourceAttributes,
    },
  };
}

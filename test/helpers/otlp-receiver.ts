// A real OTLP/HTTP receiver on loopback: takes what an exporter POSTs to /v1/traces (JSON decoded, protobuf kept raw).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  status?: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}

// OTLP JSON's tagged values → plain values.
function valueOf(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attrs(list: { key: string; value: AnyValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** Every request body as received, and its content type. */
  raw: { contentType: string; body: Buffer }[];
  close(): Promise<void>;
}

/** Listen on 127.0.0.1; JSON bodies are decoded into spans. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const raw: OtlpReceiver["raw"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers["content-type"] ?? "";
      raw.push({ contentType, body });
      if (req.url === "/v1/traces" && contentType.includes("json")) {
        const doc = JSON.parse(body.toString()) as {
          resourceSpans: {
            resource?: { attributes?: { key: string; value: AnyValue }[] };
            scopeSpans: { spans: Record<string, unknown>[] }[];
          }[];
        };
        for (const rs of doc.resourceSpans)
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans)
              spans.push({
                traceId: s.traceId as string,
                spanId: s.spanId as string,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId as string } : {}),
                name: s.name as string,
                kind: s.kind as number,
                startMs: Number(BigInt(s.startTimeUnixNano as string) / 1_000_000n),
                endMs: Number(BigInt(s.endTimeUnixNano as string) / 1_000_000n),
                ...(s.status ? { status: s.status as ReceivedSpan["status"] } : {}),
                attributes: attrs(s.attributes as { key: string; value: AnyValue }[]),
                resource: attrs(rs.resource?.attributes),
              });
      }
      res.writeHead(200, { "content-type": contentType || "application/json" });
      res.end(contentType.includes("json") ? "{}" : "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    raw,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

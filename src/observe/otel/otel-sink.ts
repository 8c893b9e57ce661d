// Spans out of the event stream, through the official OpenTelemetry JS SDK; imported only when an endpoint is set.
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { setGlobalErrorHandler } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { EventSink, RunEvent } from "../../engine/api/index.js";
import type { OtelConfig } from "./otel-config.js";
import {
  runAttributes,
  runSpanName,
  stepEndAttributes,
  stepStartAttributes,
  vcsAttributes,
  type Attributes,
  type CicdResult,
  type RunIdentity,
} from "./span-attributes.js";
import { formatTraceparent, parseTraceparent } from "./traceparent.js";

export interface OtelSinkOptions {
  config: OtelConfig;
  version: string;
  /** The TRACEPARENT Gantry was started with: the run span becomes its child. */
  parent?: string;
  /** Git facts for the vcs.* attributes. */
  vcs: Pick<RunIdentity, "revision" | "repositoryUrl">;
  /** The pipeline's name (`module.function`). */
  pipeline: string;
}

/** The exporter a protocol needs: the proto one for http/protobuf, the JSON one for http/json. */
async function makeExporter(config: OtelConfig) {
  const opts = { url: config.url, headers: config.headers, timeoutMillis: 5000 };
  if (config.protocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter(opts);
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter(opts);
}

/** Open an exporter; the sink turns run and step events into spans as they come. */
export async function startOtelSink(opts: OtelSinkOptions): Promise<OtelSink> {
  const exporter = await makeExporter(opts.config);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...opts.config.resourceAttributes,
      "service.name": opts.config.serviceName,
      "service.version": opts.version,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  return new OtelSink(provider, opts);
}

/** An EventSink that keeps one open span per running step, and the TRACEPARENT of each for its exec. */
export class OtelSink implements EventSink {
  private readonly tracer;
  private readonly spans = new Map<string, Span>();
  private run: Span | undefined;
  private runId = "";
  private exportError: string | undefined;
  /** Blanks secrets; set once the run's scrubber exists. Applied to every name and string attribute. */
  scrub: (text: string) => string = (t) => t;

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly opts: OtelSinkOptions,
  ) {
    this.tracer = provider.getTracer("gantry", opts.version);
    // the SDK reports export failures here; keep the first, to say it at exit instead of failing the run
    setGlobalErrorHandler((e) => {
      this.exportError ??= e instanceof Error ? e.message : String(e);
    });
  }

  // Every name and string attribute goes through the scrubber: a span never carries a secret.
  private clean(a: Attributes): Attributes {
    const out: Attributes = {};
    for (const [k, v] of Object.entries(a))
      out[k] =
        typeof v === "string" ? this.scrub(v) : Array.isArray(v) ? v.map((x) => this.scrub(x)) : v;
    return out;
  }

  // The context a new span is created in: under its parent step, else the function step, else the run.
  private parentContext(parent: string | undefined): Context {
    const span = (parent && this.spans.get(parent)) || this.spans.get("gantry-call") || this.run;
    if (span) return trace.setSpan(context.active(), span);
    const incoming = parseTraceparent(this.opts.parent);
    if (!incoming) return context.active();
    return trace.setSpanContext(context.active(), {
      traceId: incoming.traceId,
      spanId: incoming.spanId,
      traceFlags: incoming.sampled ? 1 : 0,
      isRemote: true,
    });
  }

  emit(e: RunEvent): void {
    if (e.type === "run.start") {
      this.runId = e.runId;
      const attrs = runAttributes({
        runId: e.runId,
        pipeline: this.opts.pipeline,
        runtime: e.runtime,
        ...this.opts.vcs,
      });
      this.run = this.tracer.startSpan(
        this.scrub(runSpanName(this.opts.pipeline)),
        { kind: SpanKind.SERVER, startTime: e.time, attributes: this.clean(attrs) },
        this.parentContext(undefined),
      );
    } else if (e.type === "step.start") {
      const attrs = stepStartAttributes(this.runId, e);
      if (e.kind === "function") Object.assign(attrs, vcsAttributes(this.opts.vcs));
      const span = this.tracer.startSpan(
        this.scrub(e.name),
        { kind: SpanKind.INTERNAL, startTime: e.time, attributes: this.clean(attrs) },
        this.parentContext(e.parent),
      );
      this.spans.set(e.id, span);
    } else if (e.type === "step.end") {
      const span = this.spans.get(e.id);
      if (!span) return;
      span.setAttributes(this.clean(stepEndAttributes(e)));
      if (e.status === "failed")
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: this.scrub(
            e.error ?? (e.exitCode !== undefined ? `exit code ${e.exitCode}` : "failed"),
          ),
        });
      span.end(e.time);
      this.spans.delete(e.id);
    } else if (e.type === "run.end") {
      this.endRun(e.time, e.ok ? "success" : "failure", e.error);
    }
  }

  /** Set the run's result (the CLI knows it best: failure, error, cancellation, skip) before run.end. */
  runResult: CicdResult | undefined;

  // The run span ends with the conventions' result; steps still open (a cut-short run) end as cancelled.
  private endRun(time: number, fallback: CicdResult, error?: string): void {
    for (const [id, span] of this.spans) {
      span.setAttribute("cicd.pipeline.task.run.result", "cancellation");
      span.end(time);
      this.spans.delete(id);
    }
    if (!this.run) return;
    const result = this.runResult ?? fallback;
    this.run.setAttribute("cicd.pipeline.result", result);
    if (result === "failure" || result === "error")
      this.run.setStatus({ code: SpanStatusCode.ERROR, message: this.scrub(error ?? result) });
    this.run.end(time);
    this.run = undefined;
  }

  /** TRACEPARENT for the process of step `id` (its own span), so a test run inside can nest its spans. */
  traceparentFor(id: string): Record<string, string> | undefined {
    const span = this.spans.get(id);
    if (!span) return undefined;
    const sc = span.spanContext();
    return { TRACEPARENT: formatTraceparent(sc.traceId, sc.spanId, (sc.traceFlags & 1) === 1) };
  }

  /** Flush every span and close the exporter; resolves with a problem to show, never rejects. */
  async shutdown(): Promise<string | undefined> {
    if (this.run) this.endRun(Date.now(), "cancellation");
    try {
      await this.provider.forceFlush();
      await this.provider.shutdown();
    } catch (e) {
      this.exportError ??= e instanceof Error ? e.message : String(e);
    }
    return this.exportError
      ? `OpenTelemetry: spans could not be sent to ${this.opts.config.url}: ${this.exportError}`
      : undefined;
  }
}

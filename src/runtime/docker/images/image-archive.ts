// Give a `docker save` archive an exact image config. A commit cannot: docker merges the container's config
// back in, so a removed variable, label or port would return. Rewriting the saved config JSON can.
import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import tar from "tar-stream";
import type { ImageConfig } from "../../runtime.js";

// Stream `saved` through, replacing the image config (and the legacy per-layer copies of it).
export function withImageConfig(saved: Readable, config: ImageConfig): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = new PassThrough();
  const fail = (err: Error) => {
    out.destroy(err);
    extract.destroy();
    pack.destroy();
  };
  saved.on("error", fail);
  pack.on("error", fail);
  saved.pipe(extract);
  pack.pipe(out);
  rewriteEntries(extract, pack, config).then(() => pack.finalize(), fail);
  return out;
}

// Config and manifest are small and come before/after the layers: buffer those, stream the rest.
async function rewriteEntries(extract: tar.Extract, pack: tar.Pack, config: ImageConfig) {
  const renamed = new Map<string, string>();
  for await (const entry of extract) {
    const { name } = entry.header;
    if (/^[0-9a-f]{64}\.json$/.test(name)) {
      const body = Buffer.from(JSON.stringify(replaceConfig(await readAll(entry), config)));
      const newName = createHash("sha256").update(body).digest("hex") + ".json";
      renamed.set(name, newName);
      await write(pack, { ...entry.header, name: newName, size: body.length }, body);
    } else if (/^[0-9a-f]{64}\/json$/.test(name)) {
      const body = Buffer.from(JSON.stringify(replaceConfig(await readAll(entry), config)));
      await write(pack, { ...entry.header, size: body.length }, body);
    } else if (name === "manifest.json") {
      const manifest = JSON.parse((await readAll(entry)).toString("utf8")) as Array<{
        Config: string;
      }>;
      for (const item of manifest) item.Config = renamed.get(item.Config) ?? item.Config;
      const body = Buffer.from(JSON.stringify(manifest));
      await write(pack, { ...entry.header, size: body.length }, body);
    } else {
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(entry.header, (err) => (err ? reject(err) : resolve()));
        // the output failing (a full disk) destroys the pack and this sink: a rejection, not an unhandled event
        sink.on("error", reject);
        entry.pipe(sink);
      });
    }
  }
}

// The image's (or legacy layer's) JSON with `config` set from ImageConfig and the committing container's config dropped.
function replaceConfig(raw: Buffer, config: ImageConfig): Record<string, unknown> {
  const json = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  const previous = (json.config ?? {}) as Record<string, unknown>;
  const ports = Object.fromEntries(
    config.exposedPorts.map((p) => [p.includes("/") ? p : `${p}/tcp`, {}]),
  );
  json.config = {
    ...previous,
    Env: config.env,
    WorkingDir: config.workdir,
    User: config.user,
    Entrypoint: config.entrypoint.length > 0 ? config.entrypoint : null,
    Cmd: config.cmd.length > 0 ? config.cmd : null,
    Labels: Object.keys(config.labels).length > 0 ? config.labels : null,
    ExposedPorts: Object.keys(ports).length > 0 ? ports : undefined,
    Healthcheck: config.healthcheck
      ? {
          Test: config.healthcheck.test,
          Interval: config.healthcheck.intervalMs * 1e6,
          Timeout: config.healthcheck.timeoutMs * 1e6,
          StartPeriod: config.healthcheck.startPeriodMs * 1e6,
          Retries: config.healthcheck.retries,
        }
      : undefined,
  };
  delete json.container_config;
  delete json.container;
  return json;
}

// Buffer one (small) tar entry.
async function readAll(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Write one buffered entry and wait for tar-stream to take it.
function write(pack: tar.Pack, header: tar.Header, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body, (err) => (err ? reject(err) : resolve()));
  });
}

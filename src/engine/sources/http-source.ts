// dag.http(url): a file downloaded by Gantry itself (Node's fetch, the machine's proxy CA settings), into the store.
import path from "node:path/posix";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Session } from "../session.js";
import type { FileEntry } from "../../store/tree.js";
import { NotFoundError, UsageError } from "../../errors.js";
import { timedStep } from "../evaluate/steps.js";
import { shownUrl } from "./git-source.js";

/** Download `url` once per run; a non-2xx answer or a network failure names the URL and the status. */
export async function httpFile(
  s: Session,
  url: string,
  opts: { name?: string; permissions?: number },
): Promise<{ entry: FileEntry; name: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new UsageError(`dag.http: ${JSON.stringify(shownUrl(url))} is not a URL`, { cause });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new UsageError(
      `dag.http: only http:// and https:// URLs are supported, got ${parsed.protocol}`,
      {
        hint: "read local files with dag.host().file(path)",
      },
    );
  const name = opts.name ?? (path.basename(parsed.pathname) || "index");
  const entry = await s.once(`http:${url}`, () =>
    timedStep(s, { name: `http GET ${shownUrl(url)}`, kind: "host" }, () => download(s, url)),
  );
  return { entry: { ...entry, mode: opts.permissions ?? 0o644 }, name };
}

// The body streams into the store; nothing is held in memory.
async function download(s: Session, url: string): Promise<FileEntry> {
  let res: Response;
  try {
    res = await fetch(url, { signal: s.signal, redirect: "follow" });
  } catch (cause) {
    throw new NotFoundError(`dag.http: GET ${shownUrl(url)} failed: ${(cause as Error).message}`, {
      cause,
      hint: "check the URL and that this machine can reach it",
    });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new NotFoundError(
      `dag.http: GET ${shownUrl(url)} answered ${res.status} ${res.statusText}`,
      {
        hint: "check the URL",
      },
    );
  }
  const { digest, size } = await s.store.putStream(
    Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
  );
  return { type: "file", mode: 0o644, digest, size };
}

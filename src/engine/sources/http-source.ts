// dag.http(url): a file downloaded by Gantry itself (Node's http(s), the machine's CA settings), into the store.
import path from "node:path/posix";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
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

// The body streams into the store; nothing is held in memory. Node's http(s) rather than fetch: Node 20's fetch
// never settles when a server closes the connection before answering (the run then ended as an internal error).
async function download(s: Session, url: string): Promise<FileEntry> {
  const res = await get(s, url);
  if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) {
    res.resume();
    throw new NotFoundError(
      `dag.http: GET ${shownUrl(url)} answered ${res.statusCode ?? "nothing"} ${res.statusMessage ?? ""}`.trimEnd(),
      { hint: "check the URL" },
    );
  }
  try {
    const { digest, size } = await s.store.putStream(res);
    return { type: "file", mode: 0o644, digest, size };
  } catch (cause) {
    if (s.signal.aborted) throw cause;
    throw new NotFoundError(
      `dag.http: GET ${shownUrl(url)}: the download broke off before its end (${(cause as Error).message})`,
      {
        cause,
        hint: "run again; if it keeps breaking off, check the server or the network between",
      },
    );
  }
}

const MAX_REDIRECTS = 10;

// One GET, following redirects as fetch does; a failure names the URL and what the connection did.
async function get(s: Session, url: string, hops = 0): Promise<IncomingMessage> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.startsWith("https:") ? https : http).get(
      url,
      { signal: s.signal },
      resolve,
    );
    request.on("error", (cause: NodeJS.ErrnoException) => {
      if (s.signal.aborted) return reject(cause);
      const what =
        cause.code === "ECONNRESET"
          ? "the server closed the connection before answering"
          : cause.message;
      reject(
        new NotFoundError(`dag.http: GET ${shownUrl(url)} failed: ${what}`, {
          cause,
          hint: "check the URL and that this machine can reach it",
        }),
      );
    });
  });
  const location = res.headers.location;
  if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && location) {
    res.resume();
    if (hops >= MAX_REDIRECTS)
      throw new NotFoundError(
        `dag.http: GET ${shownUrl(url)}: more than ${MAX_REDIRECTS} redirects`,
      );
    return get(s, new URL(location, url).href, hops + 1);
  }
  return res;
}

// Docker answers failures with HTTP status codes; Gantry branches on those, never on message text.
import {
  NotFoundError,
  RuntimeUnavailableError,
  UnsupportedError,
  isGantryError,
  type GantryError,
} from "../../../errors.js";

/** The HTTP status of a failed Docker Engine API call, when the failure came from the engine. */
export function dockerStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

// "No such image/container/volume/path" is the one failure most callers expect and handle.
export function isNotFound(err: unknown): boolean {
  return dockerStatus(err) === 404;
}

// Run a cleanup call whose "already gone" (404) and "already in progress" (409) answers are success.
export async function ignoreGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    const status = dockerStatus(err);
    if (status !== 404 && status !== 409) throw err;
  }
}

// The engine's own words for a failure (its JSON `message`), for error messages a person reads.
export function engineMessage(err: unknown): string {
  if (typeof err !== "object" || err === null) return String(err);
  const json = (err as { json?: unknown }).json;
  if (typeof json === "object" && json !== null && "message" in json) {
    return String((json as { message: unknown }).message).trim();
  }
  if (typeof json === "string" && json.trim() !== "") return json.trim();
  return err instanceof Error ? err.message : String(err);
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

// Any engine failure as a Gantry error that says what was being done: lost engine, missing object, or a refusal.
export function engineFailure(action: string, err: unknown): GantryError {
  if (isGantryError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (dockerStatus(err) === undefined && typeof code === "string" && CONNECTION_CODES.has(code)) {
    return new RuntimeUnavailableError(
      `the Docker engine stopped answering while ${action}: ${code}`,
      {
        cause: err,
        hint: "check that Docker is still running (docker info), then run again",
      },
    );
  }
  if (isNotFound(err)) {
    return new NotFoundError(`${action} failed: ${engineMessage(err)}`, {
      cause: err,
      hint: "an image or volume it needs may have been pruned meanwhile; run again",
    });
  }
  return new UnsupportedError(`${action} failed: the engine said ${engineMessage(err)}`, {
    cause: err,
  });
}

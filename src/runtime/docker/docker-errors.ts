// Docker answers failures with HTTP status codes; Gantry branches on those, never on message text.

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

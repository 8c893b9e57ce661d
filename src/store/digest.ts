// Canonical encoding and hashing: every cache key in Gantry goes through here, so one change shows in the golden files.
import { createHash, createHmac } from "node:crypto";

/** JSON with object keys sorted and undefined members dropped, so equal values always encode equally. */
export function canonicalEncode(value: unknown): string {
  return JSON.stringify(sortValue(value));
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortValue(v);
    }
    return out;
  }
  return value;
}

/** `sha256:<hex>` of a string or buffer. */
export function sha256(data: string | Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/** Digest of a value's canonical encoding. */
export function digestOf(value: unknown): string {
  return sha256(canonicalEncode(value));
}

/** Keyed hash of a secret value: stable across runs on one machine, useless to recover the value. */
export function keyedSecretHash(key: Uint8Array, value: string): string {
  return "hmac-sha256:" + createHmac("sha256", key).update(value).digest("hex");
}

/** The hex part of a digest, for use in names (image tags, file names). */
export function digestHex(digest: string): string {
  const i = digest.indexOf(":");
  return i < 0 ? digest : digest.slice(i + 1);
}

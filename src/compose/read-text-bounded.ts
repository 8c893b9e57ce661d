// Compose and .env files are read whole; a path that names /dev/zero or a runaway generated file must fail
// fast with the file's name, not fill memory for seconds and die with "Invalid string length".
import { open } from "node:fs/promises";

/** Larger than any real compose or .env file by far. */
export const MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024;

/** Thrown (with an fs-like code) when the file is larger than the limit. */
export class FileTooLargeError extends Error {
  readonly code = "EFBIG";
}

// Read a text file, stopping with FileTooLargeError past `limit` bytes (works for devices and pipes too).
export async function readTextBounded(file: string, limit = MAX_TEXT_FILE_BYTES): Promise<string> {
  const fh = await open(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1 << 20, limit + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) {
        throw new FileTooLargeError(
          `it is larger than ${limit / (1024 * 1024)} MiB, which no compose or .env file needs`,
        );
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    await fh.close();
  }
}

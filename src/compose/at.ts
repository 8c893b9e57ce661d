// A position in a compose file (`docker-compose.yml: services.api.ports[0]`), so every error and
// warning names the file and the exact key path a person has to look at.
import { ComposeError } from "../errors.js";

export type PathSegment = string | number;

export class At {
  constructor(
    /** The file as shown to the user (relative to the cwd when inside it). */
    readonly file: string,
    /** Where warnings go; shared by every position derived from this one. */
    readonly warnings: string[],
    readonly path: readonly PathSegment[] = [],
  ) {}

  // A child position under a mapping key.
  key(k: string): At {
    return new At(this.file, this.warnings, [...this.path, k]);
  }

  // A child position under a list index.
  index(i: number): At {
    return new At(this.file, this.warnings, [...this.path, i]);
  }

  // The key path as compose users write it: `services.api.ports[0]` ("" at the top level).
  get where(): string {
    let out = "";
    for (const seg of this.path) {
      out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
    }
    return out;
  }

  // "file: path: " (just "file: " at the top level), the prefix of every message.
  private get prefix(): string {
    const where = this.where;
    return where === "" ? `${this.file}: ` : `${this.file}: ${where}: `;
  }

  // Throws a ComposeError naming the file and path.
  fail(message: string, cause?: unknown): never {
    throw new ComposeError(this.prefix + message, { cause });
  }

  // Throws the standard "expected X, got Y" error.
  expected(what: string, got: unknown): never {
    return this.fail(`expected ${what}, got ${describeValue(got)}`);
  }

  // Records a warning naming the file and path.
  warn(message: string): void {
    this.warnings.push(this.prefix + message);
  }
}

// Describes a YAML value briefly for "got ..." in messages, without dumping a whole mapping.
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "an empty value";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "a list";
  return "a mapping";
}

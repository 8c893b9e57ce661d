// Gantry's own notes about how it ran something (a fallback is not an error): said only with --debug / GANTRY_DEBUG=1.
export function debugNote(text: string): void {
  if (process.env["GANTRY_DEBUG"] && process.env["GANTRY_DEBUG"] !== "0")
    process.stderr.write(`gantry: ${text}\n`);
}

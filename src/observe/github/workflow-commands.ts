// GitHub Actions workflow commands (`::group::`, `::error …::`, `::add-mask::`), escaped as the runner expects.

// Message text: %, CR and LF are escaped so a command stays one line.
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

// Property values additionally escape `:` and `,`, which separate properties.
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::group::title` — the lines up to `::endgroup::` fold under it in the log. */
export function groupStart(title: string): string {
  return `::group::${escapeData(title)}\n`;
}

export const GROUP_END = "::endgroup::\n";

/** `::add-mask::value`: the runner blanks the value in every later log line, of this step and the next ones. */
export function addMask(value: string): string {
  return `::add-mask::${escapeData(value)}\n`;
}

/** An error annotation, on a file and line when they are known. */
export function errorAnnotation(a: {
  message: string;
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}): string {
  const props: string[] = [];
  if (a.file) props.push(`file=${escapeProperty(a.file)}`);
  if (a.line !== undefined) props.push(`line=${a.line}`);
  if (a.col !== undefined) props.push(`col=${a.col}`);
  if (a.title) props.push(`title=${escapeProperty(a.title)}`);
  return `::error${props.length ? " " + props.join(",") : ""}::${escapeData(a.message)}\n`;
}

// Debian's real Chromium, headless: what a person's browser makes of a file (its DOM after load, or a screenshot).
import { runCommand } from "./test-session.js";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--hide-scrollbars",
  "--no-first-run",
];

/** The DOM Chromium built from the file, serialized. */
export async function chromiumDom(file: string): Promise<string> {
  const r = await runCommand("chromium", [...FLAGS, "--dump-dom", `file://${file}`], {
    timeoutMs: 90_000,
  });
  if (r.status !== 0) throw new Error(`chromium --dump-dom failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A PNG of the page at a window size; returns Chromium's output (it names the file it wrote). */
export async function chromiumScreenshot(
  file: string,
  png: string,
  size = "1400,1600",
): Promise<void> {
  const r = await runCommand(
    "chromium",
    [...FLAGS, `--window-size=${size}`, `--screenshot=${png}`, `file://${file}`],
    { timeoutMs: 90_000 },
  );
  if (r.status !== 0) throw new Error(`chromium --screenshot failed (${r.status}): ${r.stderr}`);
}

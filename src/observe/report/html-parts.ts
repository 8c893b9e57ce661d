// Small pieces of the report's HTML: escaping, durations, the style sheet (inline: the file needs no network).

/** Text made safe for HTML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** `0.4s`, `12.3s`, `2m05s`. */
export function secs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

export const STYLE = `
:root{--ok:#1a7f37;--fail:#cf222e;--cache:#0969da;--would:#8250df;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328}
header{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
main{padding:0 24px 40px}.muted{color:var(--muted)}.ok{color:var(--ok)}.failed{color:var(--fail)}
.badges span{display:inline-block;margin-right:12px}
.timeline{border:1px solid var(--line);border-radius:6px;padding:8px 0;position:relative}
.row{display:flex;align-items:center;height:24px}
.label{width:34%;padding:0 8px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:12px}
.track{position:relative;flex:1;height:18px;margin-right:12px;background:linear-gradient(90deg,var(--bg) 1px,transparent 1px) 0 0/10% 100%}
.bar{position:absolute;top:2px;height:14px;border-radius:3px;background:var(--ok);min-width:3px}
.bar.cached{background:repeating-linear-gradient(45deg,var(--cache),var(--cache) 4px,#54aeff 4px,#54aeff 8px)}
.bar.failed{background:var(--fail)}.bar.would-run{background:var(--would);opacity:.6}.bar.cancelled{background:#bf8700}
.bar.critical{outline:2px solid #fb8500;outline-offset:1px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;border-radius:2px;vertical-align:middle}
details.step{border:1px solid var(--line);border-radius:6px;margin:6px 0}
details.step>summary{cursor:pointer;padding:6px 10px;list-style:none}details.step[open]>summary{border-bottom:1px solid var(--line);background:var(--bg)}
.step-body{padding:8px 12px}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}dt{color:var(--muted)}dd{margin:0;word-break:break-all}
pre{background:#0d1117;color:#e6edf3;padding:10px;border-radius:6px;overflow:auto;max-height:420px;font-size:12px;margin:6px 0}
code{font-size:12px}table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
.test-failed{color:var(--fail)}.test-skipped{color:var(--muted)}
`;

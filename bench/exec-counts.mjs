// How many container execs a `gantry call --progress=json` reached, and how many of them really ran (not from
// cache), read from its event lines (docs/events.md); shared by bench/goals.mjs and bench/examples.mjs.

/** `{ ran, execs }` from a call's stderr in JSON progress. */
export function execCounts(stderr) {
  const execs = new Set();
  const ran = new Set();
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    const ev = JSON.parse(line);
    if (ev.type === "step.start" && ev.kind === "exec") execs.add(ev.id);
    if (ev.type === "step.end" && execs.has(ev.id) && ev.status === "done") ran.add(ev.id);
  }
  return { ran: ran.size, execs: execs.size };
}

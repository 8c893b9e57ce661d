// wordstat over HTTP, for `gantry call dev start`: GET /health, and the figures of a text POSTed to /stats.
import { formatStats, stats } from "./stats.ts";

const port = Number(process.env.PORT ?? 3000);

Bun.serve({
  port,
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/health") return new Response("ok\n");
    if (url.pathname === "/stats" && req.method === "POST") {
      const top = Number(url.searchParams.get("top") ?? 3);
      return new Response(formatStats(stats(await req.text(), top)));
    }
    return new Response("not found\n", { status: 404 });
  },
});
console.log(`wordstat listening on :${port}`);

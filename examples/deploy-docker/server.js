// A small HTTP app to deploy: it says which version it is, and /healthz says whether it is healthy.
// A VERSION containing "broken" makes /healthz answer 500: the example's stand-in for a bad release.
import http from "node:http";
import { readFileSync } from "node:fs";

const version = readFileSync(new URL("./VERSION", import.meta.url), "utf8").trim();
const port = Number(process.env.PORT ?? 8080);

const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    const ok = !version.includes("broken");
    res.writeHead(ok ? 200 : 500, { "content-type": "text/plain" });
    res.end(ok ? "ok\n" : "not ok\n");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`hello from ${version}\n`);
});

server.listen(port, () => console.log(`app ${version} listening on ${port}`));
// Finish the requests in flight, then exit: `docker stop` sends SIGTERM when the release is replaced.
process.on("SIGTERM", () => server.close(() => process.exit(0)));

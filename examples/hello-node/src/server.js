// A tiny HTTP service: GET /hello?name=x answers with a greeting, GET /health with ok.
import http from "node:http";
import { greet } from "./greet.js";

export function createServer() {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/health") return res.end("ok\n");
    if (url.pathname === "/hello") return res.end(greet(url.searchParams.get("name")) + "\n");
    res.statusCode = 404;
    res.end("not found\n");
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const port = Number(process.env.PORT ?? 8080);
  createServer().listen(port, () => console.log(`listening on ${port}`));
}

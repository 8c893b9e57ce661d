import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pool } from "pg";

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? {} : JSON.parse(text);
}

/** The title of a new todo from a request body, or undefined when it has none. */
export function titleOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const title = (body as { title?: unknown }).title;
  return typeof title === "string" && title.trim() !== "" ? title.trim() : undefined;
}

/** The API's request handler: GET /health, GET and POST /api/todos, PATCH /api/todos/:id. */
export function createHandler(pool: Pool) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (req.method === "GET" && url.pathname === "/health") {
        await pool.query("SELECT 1");
        return send(res, 200, { status: "ok" });
      }
      if (url.pathname === "/api/todos" && req.method === "GET") {
        const { rows } = await pool.query<Todo>("SELECT id, title, done FROM todos ORDER BY id");
        return send(res, 200, { todos: rows });
      }
      if (url.pathname === "/api/todos" && req.method === "POST") {
        const title = titleOf(await readJson(req));
        if (!title) return send(res, 400, { error: "title is required" });
        const { rows } = await pool.query<Todo>(
          "INSERT INTO todos (title) VALUES ($1) RETURNING id, title, done",
          [title],
        );
        return send(res, 201, rows[0]);
      }
      const done = /^\/api\/todos\/(\d+)\/done$/.exec(url.pathname);
      if (done && req.method === "POST") {
        const { rows } = await pool.query<Todo>(
          "UPDATE todos SET done = true WHERE id = $1 RETURNING id, title, done",
          [Number(done[1])],
        );
        return rows[0] ? send(res, 200, rows[0]) : send(res, 404, { error: "not found" });
      }
      return send(res, 404, { error: "not found" });
    } catch (e) {
      if (e instanceof SyntaxError) return send(res, 400, { error: "body is not JSON" });
      console.error(e);
      return send(res, 500, { error: "internal error" });
    }
  };
}

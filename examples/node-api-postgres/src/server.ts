import { createServer } from "node:http";
import { createHandler } from "./app";
import { createPool } from "./db";

const port = Number(process.env.PORT ?? 3000);
const server = createServer(createHandler(createPool()));
server.listen(port, () => console.log(`listening on :${port}`));

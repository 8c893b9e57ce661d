// Resolve hook (runs on the loader thread): record each module URL that is resolved.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.GANTRY_MODULE_LOG) appendFileSync(process.env.GANTRY_MODULE_LOG, `${r.url}\n`);
  return r;
}

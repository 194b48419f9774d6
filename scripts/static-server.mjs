// A static file server on 127.0.0.1 (the browser example and the browser tests): pages, the
// built package, the suite. Serves files under `root` only.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css" };

/**
 * Starts serving `root`; port 0 picks a free port. `isolated`: every response carries the
 * cross-origin isolation headers (COOP/COEP), so pages get SharedArrayBuffer and the worker pool.
 */
export async function serve(root, port = 0, { isolated = false } = {}) {
  const coi = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", ...coi });
      res.end(body);
    } catch { res.writeHead(404); res.end("not found"); }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((ok) => server.close(() => ok())) };
}

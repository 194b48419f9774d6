// npm run example:browser: serves the repository on 127.0.0.1 and prints the page's address.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".css": "text/css" };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  try { res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }); res.end(await readFile(join(root, path))); }
  catch { res.writeHead(404); res.end("not found"); }
});
const port = Number(process.env.PORT ?? 8080);
server.listen(port, "127.0.0.1", () => console.log(`open http://127.0.0.1:${port}/examples/browser-rerank/index.html  (Ctrl-C to stop)`));

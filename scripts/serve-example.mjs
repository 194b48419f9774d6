// npm run example:browser: serves the repository on 127.0.0.1 and prints the page's address.
import { fileURLToPath } from "node:url";
import { serve } from "./static-server.mjs";

const { url } = await serve(fileURLToPath(new URL("..", import.meta.url)), Number(process.env.PORT ?? 8080));
console.log(`open ${url}/examples/browser-rerank/index.html  (Ctrl-C to stop)`);

// deno run --allow-read test/runtime/deno.mjs  (a local import of the built package)
import * as lib from "../../dist/index.js";
import { runSuite } from "./suite.mjs";
const r = await runSuite(lib, `deno-${Deno.version.deno}`);
console.log(r.lines.join("\n"));
if (r.failed) Deno.exit(1);

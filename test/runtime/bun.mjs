// bun test/runtime/bun.mjs
import * as lib from "../../dist/index.js";
import { runSuite } from "./suite.mjs";
const r = await runSuite(lib, `bun-${Bun.version}`);
console.log(r.lines.join("\n"));
process.exit(r.failed ? 1 : 0);

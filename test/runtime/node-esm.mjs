import * as lib from "../../dist/index.js";
import { runSuite } from "./suite.mjs";
const r = await runSuite(lib, "node-esm");
console.log(r.lines.join("\n"));
process.exitCode = r.failed ? 1 : 0;

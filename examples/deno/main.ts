// deno run --allow-read examples/deno/main.ts   (the same host loop as the Node example, minimal)
import * as lib from "../../dist/index.js";
import { runMinimalLoop } from "../shared/minimal-loop.js";

runMinimalLoop(lib, `deno ${Deno.version.deno}`);

const lib = require("../../dist/index.cjs");
import("./suite.mjs").then(async ({ runSuite }) => {
  const r = await runSuite(lib, "node-cjs");
  console.log(r.lines.join("\n"));
  process.exitCode = r.failed ? 1 : 0;
});

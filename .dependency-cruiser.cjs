// The layering of src/ (docs/design.md): the family folders group/, token/, scan/ and shape/ are
// siblings that import core/ and nothing sideways; core/ imports nothing above it; the oracle
// (reference/) stands alone; tools/ (CLI, conformance, demo, baselines) sit on top and nothing in
// the library imports them. `npm test` runs this (test/layering.test.ts).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "family-sideways",
      comment: "A family (group/, token/, scan/, shape/) imports core/ only: what two families share moves down into core/.",
      severity: "error",
      from: { path: "^src/(group|token|scan|shape)/" },
      to: { path: "^src/(group|token|scan|shape)/", pathNot: "^src/$1/" },
    },
    {
      name: "family-upward",
      comment: "A family never imports the public surface (src/*.ts) or the tools.",
      severity: "error",
      from: { path: "^src/(group|token|scan|shape)/" },
      to: { path: "^src/([^/]+\\.ts|tools/)" },
    },
    {
      name: "core-upward",
      comment: "core/ is the bottom layer: it imports only core/.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "reference-alone",
      comment: "The f64 oracle is written from the contract, not from the library: it imports nothing of it.",
      severity: "error",
      from: { path: "^src/reference/" },
      to: { path: "^src/", pathNot: "^src/reference/" },
    },
    {
      name: "tools-on-top",
      comment: "Nothing in the library imports tools/ (CLI, conformance, demo, benchmark baselines).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/tools/" },
      to: { path: "^src/tools/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};

import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", reference: "src/reference/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    target: "es2022",
    clean: true,
    sourcemap: false,
  },
  {
    entry: { cli: "src/tools/cli.ts" },
    format: ["esm"],
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);

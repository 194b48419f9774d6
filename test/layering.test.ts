// The layering rule of src/ (.dependency-cruiser.cjs): family folders are siblings over core/,
// core/ imports nothing above it, the oracle stands alone, tools/ sit on top. Checked with
// dependency-cruiser on the real tree, and shown to fail on a copy with one sideways import.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot as root, withProjectCopy } from "./project-copy.js";
const cruise = (cwd: string) => spawnSync(process.execPath, [join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs"), "src", "--config", ".dependency-cruiser.cjs"], { cwd, encoding: "utf8" });

describe("layering (dependency-cruiser)", () => {
  it("src/ has no sideways, upward or circular import", () => {
    const r = cruise(root);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it("a sideways import between families, or core importing a family, fails the check", () => {
    withProjectCopy("layers", ["src", "tsconfig.json", ".dependency-cruiser.cjs"], (dir) => {
      writeFileSync(join(dir, "src/token/probe.ts"), 'import { runGae } from "../scan/returns.js";\nexport const probe = runGae;\n');
      writeFileSync(join(dir, "src/core/probe.ts"), 'import { runGrpo } from "../group/estimators.js";\nexport const probe2 = runGrpo;\n');
      const r = cruise(dir);
      assert.notEqual(r.status, 0);
      assert.match(r.stdout, /family-sideways/);
      assert.match(r.stdout, /core-upward/);
    });
  });
});

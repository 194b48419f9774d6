// The API reference: `npm run docs` (TypeDoc) fails on any export, option or result field
// without a doc comment (typedoc.json: notDocumented, treatWarningsAsErrors). Checked on the tree,
// and shown to fail on a copy with one undocumented export.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot as root, withProjectCopy } from "./project-copy.js";
const typedoc = (cwd: string) => spawnSync(process.execPath, [join(root, "node_modules/typedoc/bin/typedoc"), "--emit", "none"], { cwd, encoding: "utf8" });

describe("API reference (TypeDoc)", () => {
  it("every export of rl-advantage and rl-advantage/reference is documented", () => {
    const r = typedoc(root);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it("an undocumented export fails the docs build", () => {
    withProjectCopy("docs", ["src", "tsconfig.json", "typedoc.json", "package.json"], (dir) => {
      appendFileSync(join(dir, "src/index.ts"), "\nexport const undocumentedProbe = (x: number): number => x;\n");
      const r = typedoc(dir);
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /undocumentedProbe.*does not have any documentation/);
    });
  });
});

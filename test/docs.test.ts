// The API reference: `npm run docs` (TypeDoc) fails on any export, option or result field
// without a doc comment (typedoc.json: notDocumented, treatWarningsAsErrors). Checked on the tree,
// and shown to fail on a copy with one undocumented export.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const typedoc = (cwd: string) => spawnSync(process.execPath, [join(root, "node_modules/typedoc/bin/typedoc"), "--emit", "none"], { cwd, encoding: "utf8" });

describe("API reference (TypeDoc)", () => {
  it("every export of rl-advantage and rl-advantage/reference is documented", () => {
    const r = typedoc(root);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it("an undocumented export fails the docs build", () => {
    const dir = mkdtempSync(join(tmpdir(), "rla-docs-"));
    try {
      for (const f of ["src", "tsconfig.json", "typedoc.json", "package.json"]) cpSync(join(root, f), join(dir, f), { recursive: true });
      symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
      appendFileSync(join(dir, "src/index.ts"), "\nexport const undocumentedProbe = (x: number): number => x;\n");
      const r = typedoc(dir);
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /undocumentedProbe.*does not have any documentation/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

// Golden vectors from verl, OpenRLHF and TRL (test/fixtures/golden: the vectors the upstream code produced, kept in the project)
// through the public API, on both builds, with the tolerance of docs/numerics.md#against-the-golden-vectors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadGolden, runFamily, FAMILIES } from "../src/tools/conformance.js";
import { builds } from "./helpers.js";

const dir = fileURLToPath(new URL("./fixtures/golden", import.meta.url));
// The reward shapers' vectors (the papers' own code) live beside the trainers'.
const files = [...loadGolden(dir), ...loadGolden(fileURLToPath(new URL("./fixtures/golden-shapers", import.meta.url)))];

for (const [build, api] of builds) {
  describe(`golden vectors (${build})`, () => {
    for (const f of files) {
      const implemented = f.family in FAMILIES;
      it(`${f.family}: 0 failed on every path`, () => {
        const rep = runFamily(f, api);
        assert.ok(implemented, `${f.family} has a mapping`);
        assert.equal(rep.failed + rep.undefinedFailed, 0, rep.failures.join("\n"));
        assert.equal(rep.cases + rep.fragile, f.cases.length, "every case is run or reported as ulp-fragile");
        assert.ok(rep.passed + rep.undefinedPassed >= rep.cases, "every case passes on at least one path");
        assert.ok(rep.worstRatio <= 1, "rep.worstRatio <= 1");
      });
    }
  });
}

describe("golden: the set required by the foundation issue is implemented", () => {
  it("families", () => {
    for (const fam of ["verl_grpo", "verl_rloo", "verl_reinforce_plus_plus_baseline", "verl_remax", "verl_opo", "verl_gpg", "verl_grpo_passk", "bnpo", "trl_grpo_advantages", "openrlhf_advantages"])
      assert.ok(fam in FAMILIES, fam);
  });
});

describe("golden: the six shaper families of the shapers issue are implemented", () => {
  it("families", () => {
    for (const fam of ["par_shapers", "laser_length", "gui_g2", "openrlhf_length_penalty", "hapo_length", "bco_shift"]) assert.ok(fam in FAMILIES, fam);
  });
});

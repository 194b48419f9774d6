// One smoke-and-conformance suite, run unchanged under Node (ESM and CJS), Deno, Bun and
// Chromium. `lib` is the package's module namespace. Returns { passed, failed, lines }.
export async function runSuite(lib, runtime) {
  const lines = [];
  let passed = 0, failed = 0;
  const check = async (name, fn) => {
    try { await fn(); passed++; lines.push(`ok ${name}`); }
    catch (e) { failed++; lines.push(`FAIL ${name}: ${e && e.message}`); }
  };
  const assert = (cond, msg) => { if (!cond) throw new Error(msg); };
  const close = (got, want, tol, what) => want.forEach((w, i) => assert(Math.abs(got[i] - w) <= tol, `${what}[${i}] ${got[i]} vs ${w}`));
  const f32 = (a) => Float32Array.from(a);

  await check("load: SIMD probe, forced builds, sync and async init", async () => {
    assert(typeof lib.simdSupported() === "boolean", "simdSupported");
    const scalar = lib.createSync({ build: "scalar" });
    assert(scalar.build === "scalar", "forced scalar");
    const auto = await lib.create();
    assert(auto.build === (lib.simdSupported() ? "simd" : "scalar"), "auto build follows the probe");
  });

  for (const build of lib.simdSupported() ? ["simd", "scalar"] : ["scalar"]) {
    const api = lib.createSync({ build });
    await check(`${build}: GRPO on the spec example`, () => {
      const r = api.grpo({ scores: f32([1, 0, 0, 1, 0.7, 1, 1]), groupIds: Int32Array.from([0, 0, 0, 0, 1, 2, 2]) });
      close(r.rowAdvantages, [0.8660239, -0.8660239, -0.8660239, 0.8660239, 0.6999993, 0, 0], 1e-7, "grpo");
      assert(Object.is(r.rowAdvantages[5], 0), "a constant group gives exactly +0");
    });
    await check(`${build}: GAE (verl, whitened) on the spec example`, () => {
      const g = api.gae({ tokenRewards: f32([0, 0, 1, 0, 0, 0, 0, 0, 0, 2]), values: f32([0.5, 0.4, 0.3, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5]), mask: Uint8Array.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]), width: 5, gamma: 0.9, lam: 0.8 });
      close(g.returns, [0.62928, 0.774, 1, 0, 0, 0.6832742, 0.898992, 1.1736, 1.53, 2], 2e-7, "returns");
      close(g.advantages, [-1.4474249, -0.875525, -0.1136772, 0, 0, -0.3864602, -0.1160329, 0.2920184, 0.891214, 1.7558878], 3e-7, "advantages");
    });
    await check(`${build}: rerank with stable ties`, () => {
      const r = api.rerank({ scores: f32([0.5, 0.9, 0.9, 0.1, 0.2, 0.2, 0.8, 0.1]), candidates: 4, k: 2 });
      assert(Array.from(r.topIndices).join() === "1,2,2,0", `top ${Array.from(r.topIndices)}`);
    });
    await check(`${build}: zero-copy workspace, its views untouched by other workspaces`, () => {
      const ws = api.createWorkspace({ rows: 4, width: 3, groupSize: 2 });
      ws.scores.set([1, 0, 2, 2]);
      ws.mask.fill(1);
      const r = ws.grpo();
      assert(r.advantages.buffer === ws.engine.memory.buffer, "outputs are views into the workspace's wasm memory");
      close(r.advantages, [0.7071061, 0.7071061, 0.7071061, -0.7071061, -0.7071061, -0.7071061, 0, 0, 0, 0, 0, 0], 1e-6, "ws");
      const big = api.createWorkspace({ rows: 1 << 18, width: 16, groupSize: 2 });
      api.maskedMean({ values: new Float32Array(1 << 20), mask: new Uint8Array(1 << 20).fill(1), width: 1 << 10 });
      assert(r.advantages.length === 12 && ws.scores[2] === 2, "kept views survive another workspace and a large copy-API call");
      big.dispose(); ws.dispose();
    });
    await check(`${build}: typed errors name the argument and the index`, () => {
      try { api.grpo({ scores: f32([1, 2, 3, 4]), groupIds: Int32Array.from([0, 0, 5, 1]), numGroups: 2 }); throw new Error("no throw"); }
      catch (e) { assert(e instanceof lib.RlaRangeError && e instanceof RangeError && e.code === "GROUP_ID_OUT_OF_RANGE" && e.argument === "groupIds" && e.index === 2, `got ${e && e.message}`); }
      try { api.grpo({ scores: new Float64Array(4), groupSize: 2 }); throw new Error("no throw"); }
      catch (e) { assert(e instanceof lib.RlaTypeError && e.code === "WRONG_TYPE" && e.argument === "scores", `got ${e && e.message}`); }
    });
  }
  await check("threads: 2 (a worker pool where shared memory is available) gives one thread's bits", async () => {
    // A page that is not cross-origin isolated has no SharedArrayBuffer: the workspace runs on one thread.
    const shared = typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated !== false;
    const B = 64, T = 2048, g = (k) => Math.fround(Math.sin(k * 12.9898) * 0.5);
    const run = async (threads) => {
      const ws = lib.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"], threads });
      const got = await ws.threadsReady();
      for (let k = 0; k < B * T; k++) { ws.tokenRewards[k] = g(k); ws.values[k] = g(k + 7); ws.mask[k] = k % T < 100 + (k / T | 0) * 30 ? 1 : 0; }
      const d = ws.gae({ gamma: 0.99, lam: 0.95 }).diagnostics;
      const bits = new Uint32Array(ws.advantages.slice().buffer);
      ws.dispose();
      return { got, bits, mean: d.whiten.mean };
    };
    const one = await run(1), two = await run(2);
    assert(one.got === 1 && two.got === (shared ? 2 : 1), `threads started: ${one.got}, ${two.got} (shared memory: ${shared})`);
    assert(one.mean === two.mean && one.bits.every((b, k) => b === two.bits[k]), "bitwise equal to one thread");
  });
  lines.push(`${runtime}: ${passed} passed, ${failed} failed`);
  return { passed, failed, lines };
}

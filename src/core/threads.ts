// The worker pool behind `threads` (docs/threads.md). Workers instantiate the same module on the
// workspace's shared memory and wait on a small control block; a row kernel is split into
// contiguous row ranges, the caller runs the first and each worker one more, and the caller
// blocks until all are done. Every row is computed by the same code whichever thread runs it,
// and every per-call reduction (first bad index, max of the check, moments, KL means) is combined
// in row order, so results are bitwise those of one thread.
//
// Workers start asynchronously (a browser cannot start one while its main thread is blocked);
// until one has instantiated the module, calls simply run with fewer threads.

/** The kernels that take a row range `[i0, B)` as their last argument and may run split. */
export const ROW_KERNELS = [
  "gae_rows_f32", "returns_rows_f32", "whiten_scanned_f32", "valid_absbits3_f32",
  "kl_in_reward_verl_f32", "kl_penalty_f32", "minform_verlcompat_f32", "mask_scan_rows_u8",
] as const;
export type RowKernel = (typeof ROW_KERNELS)[number];

// Control block (one SharedArrayBuffer per worker), int32 slots:
const STATE = 0; // 0 starting, 1 ready, 2 stopped, 3 failed to start
const JOB = 1; // job sequence number, bumped by the caller
const DONE = 2; // the last job sequence number finished
const FN = 3; // index into ROW_KERNELS, -1 = stop
const ERR = 4; // 1 when the job threw (a trap)
const NARGS = 5;
const RESULT = 3; // float64 slot (bytes 24..31)
const ARGS = 4; // float64 slots 4.. (bytes 32..)
const CONTROL_BYTES = 256;
const SPIN = 20000; // Atomics.load polls before a blocking wait (roughly 20-60 us)

// The worker's whole program: plain JavaScript that runs as a Node worker (eval, CommonJS) or as
// a module worker (Deno, Bun, browsers), so no file ships besides the bundle.
const WORKER_SOURCE = `
const serve = (d) => {
  const ctl = new Int32Array(d.control), f64 = new Float64Array(d.control);
  let fns;
  try {
    const mod = d.module instanceof WebAssembly.Module ? d.module : new WebAssembly.Module(d.module);
    const inst = new WebAssembly.Instance(mod, { env: { memory: d.memory } });
    fns = d.names.map((n) => inst.exports[n]);
  } catch (e) { Atomics.store(ctl, ${STATE}, 3); Atomics.notify(ctl, ${STATE}); return; }
  Atomics.store(ctl, ${STATE}, 1); Atomics.notify(ctl, ${STATE});
  let seq = 0;
  for (;;) {
    // Spin a little before sleeping: the calls of one kernel (check, scan, whitening) come in
    // quick succession, and a futex wake-up costs tens of microseconds on a VM.
    for (let k = 0; k < ${SPIN} && Atomics.load(ctl, ${JOB}) === seq; k++);
    Atomics.wait(ctl, ${JOB}, seq);
    seq = Atomics.load(ctl, ${JOB});
    const id = ctl[${FN}];
    if (id < 0) break;
    try {
      const a = Array.from(f64.subarray(${ARGS}, ${ARGS} + ctl[${NARGS}]));
      f64[${RESULT}] = fns[id](...a) ?? 0; ctl[${ERR}] = 0;
    } catch (e) { ctl[${ERR}] = 1; }
    Atomics.store(ctl, ${DONE}, seq); Atomics.notify(ctl, ${DONE});
  }
  Atomics.store(ctl, ${STATE}, 2);
};
let wd;
try { wd = typeof require === "function" ? require("node:worker_threads").workerData : undefined; } catch (e) { wd = undefined; }
if (wd && wd.control) serve(wd);
else self.onmessage = (ev) => { serve(ev.data); self.close(); };
`;

interface WorkerHandle { terminate(): unknown; unref?(): void }
interface Slot { ctl: Int32Array; f64: Float64Array; worker: WorkerHandle | null; seq: number }

type NodeWorkerCtor = new (src: string, o: { eval: true; workerData: unknown }) => WorkerHandle;
type WebWorkerCtor = new (url: string, o: { type: "module" }) => WorkerHandle & { postMessage(m: unknown): void };

type Factory = ((data: Record<string, unknown>) => WorkerHandle) | null;
let factory: Factory | undefined;
/** How this runtime starts a worker (decided once; the browser's blob URL is made once). */
function workerFactory(): Factory { return factory === undefined ? (factory = makeFactory()) : factory; }

/** Node's worker_threads where present (Node, Bun, Deno), else a module Worker from a blob URL. */
function makeFactory(): Factory {
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.("node:worker_threads") as { Worker: NodeWorkerCtor } | undefined;
  if (wt?.Worker) return (workerData) => new wt.Worker(WORKER_SOURCE, { eval: true, workerData });
  const W = (globalThis as { Worker?: WebWorkerCtor }).Worker;
  if (typeof W === "function" && typeof Blob === "function" && typeof URL?.createObjectURL === "function") {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    return (data) => { const w = new W(url, { type: "module" }); w.postMessage(data); return w; };
  }
  return null;
}

/** True when this thread may block in Atomics.wait (not a browser's main thread). */
let blockingAllowed: boolean | undefined;
function canBlock(probe: Int32Array): boolean {
  if (blockingAllowed === undefined) {
    try { Atomics.wait(probe, NARGS, 1, 0); blockingAllowed = true; } catch { blockingAllowed = false; }
  }
  return blockingAllowed;
}

let supported: boolean | undefined;
/** True when this runtime can run a pool at all: shared WebAssembly memory and a way to start workers (probed once). */
export function threadsSupported(): boolean {
  if (supported === undefined) {
    supported = typeof SharedArrayBuffer === "function" && typeof Atomics === "object" && workerFactory() !== null;
    if (supported) try { new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }); } catch { supported = false; }
  }
  return supported;
}

export class ThreadPool {
  private slots: Slot[] = [];
  private stopped = false;

  /**
   * Starts `threads - 1` workers on `memory` (the caller is the remaining thread). `module` is
   * sent to workers that accept a compiled module, its `bytes` otherwise.
   */
  constructor(module: WebAssembly.Module, bytes: Uint8Array, memory: WebAssembly.Memory, threads: number) {
    const start = workerFactory();
    if (!start) return;
    const nodeStyle = !!(globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule;
    for (let k = 1; k < threads; k++) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const slot: Slot = { ctl: new Int32Array(control), f64: new Float64Array(control), worker: null, seq: 0 };
      try {
        slot.worker = start({ module: nodeStyle ? module : bytes, memory, control, names: [...ROW_KERNELS] });
        slot.worker.unref?.(); // an idle pool must not keep the process alive
      } catch { continue; }
      this.slots.push(slot);
    }
  }

  /** Threads that can take a share now: the caller plus every worker that has started. */
  get active(): number {
    let n = 1;
    for (const s of this.slots) if (Atomics.load(s.ctl, STATE) === 1) n++;
    return n;
  }

  /** Resolves once every worker has started (or failed to): the number of threads then usable. */
  async ready(timeoutMs = 10000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.slots.every((s) => Atomics.load(s.ctl, STATE) !== 0) || Date.now() > until) return this.active;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Runs `fn` once per argument list, list 0 on this thread and the others on started workers,
   * and returns each call's result in list order. `call` runs list 0 here. Always waits for
   * every worker before returning, so no worker still writes memory when the caller goes on.
   */
  run(fn: RowKernel, lists: number[][], call: (args: number[]) => number): number[] {
    const id = ROW_KERNELS.indexOf(fn);
    const ready = this.slots.filter((s) => Atomics.load(s.ctl, STATE) === 1);
    if (lists.length - 1 > ready.length) throw new Error(`internal: ${lists.length} parts for ${ready.length + 1} threads`);
    const used = ready.slice(0, lists.length - 1);
    used.forEach((s, k) => {
      const a = lists[k + 1]!;
      s.f64.set(a, ARGS);
      s.ctl[NARGS] = a.length; s.ctl[FN] = id;
      s.seq = Atomics.add(s.ctl, JOB, 1) + 1;
      Atomics.notify(s.ctl, JOB);
    });
    const out = new Array<number>(lists.length);
    try { out[0] = call(lists[0]!); } finally {
      used.forEach((s, k) => {
        const block = canBlock(s.ctl);
        for (let k = 0; k < SPIN && Atomics.load(s.ctl, DONE) !== s.seq; k++);
        while (Atomics.load(s.ctl, DONE) !== s.seq) if (block) Atomics.wait(s.ctl, DONE, s.seq - 1, 50);
        if (s.ctl[ERR]) throw new Error(`a worker trapped in ${fn}`);
        out[k + 1] = s.f64[RESULT]!;
      });
    }
    return out;
  }

  /** Stops every worker (each leaves its wait loop and ends). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.slots) {
      s.ctl[FN] = -1;
      Atomics.add(s.ctl, JOB, 1);
      Atomics.notify(s.ctl, JOB);
      try { s.worker?.terminate(); } catch { /* already gone */ }
    }
    this.slots = [];
  }
}

// The worker pool behind `threads` (docs/threads.md). Workers instantiate the same module on the
// workspace's shared memory and wait on a small control block of their own. A split call cuts the
// rows into contiguous chunks (a few per thread); every thread, the caller included, claims the
// next unclaimed chunk from one shared counter until none is left, and the caller blocks until all
// are done. Chunks, not one fixed range per thread: a thread that is slower on this call (a vCPU
// shared with another process, a worker woken late from its wait) then simply runs fewer of them.
// Every row is computed by the same code whichever thread runs it, and every per-call reduction
// (first bad index, max of the check, moments, KL means) is combined in chunk order, which is row
// order, so results are bitwise those of one thread.
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
const NARGS = 5; // arguments per chunk
const NCHUNKS = 6; // chunks in the job
const ARGS = 4; // float64 slots 4.. (bytes 32..): this worker's arguments for chunk j at ARGS + j * NARGS
/** Most chunks one call is cut into (Engine.split stays below it). */
export const MAX_CHUNKS = 64;
const MAX_ARGS = 20;
const CONTROL_BYTES = 32 + MAX_CHUNKS * MAX_ARGS * 8;
// The pool's shared job block: int32 slot 0 is the next unclaimed chunk, float64 slot 1 + j chunk j's result.
const WORK_BYTES = 8 * (MAX_CHUNKS + 1);
const SPIN = 20000; // Atomics.load polls before a blocking wait (roughly 20-60 us)

// The worker's whole program: plain JavaScript that runs as a Node worker (eval, CommonJS) or as
// a module worker (Deno, Bun, browsers), so no file ships besides the bundle.
const WORKER_SOURCE = `
const serve = (d) => {
  const ctl = new Int32Array(d.control), f64 = new Float64Array(d.control);
  const next = new Int32Array(d.work), results = new Float64Array(d.work);
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
      ctl[${ERR}] = 0;
      const n = ctl[${NARGS}], chunks = ctl[${NCHUNKS}], fn = fns[id];
      for (let j; (j = Atomics.add(next, 0, 1)) < chunks;) {
        results[1 + j] = fn(...Array.from(f64.subarray(${ARGS} + j * n, ${ARGS} + (j + 1) * n))) ?? 0;
      }
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
  private readonly work = new SharedArrayBuffer(WORK_BYTES);
  private readonly next = new Int32Array(this.work);
  private readonly results = new Float64Array(this.work);

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
        slot.worker = start({ module: nodeStyle ? module : bytes, memory, control, work: this.work, names: [...ROW_KERNELS] });
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
   * Runs `fn` over chunks: `lists[t][j]` is thread t's argument list for chunk j (thread 0 is the
   * caller, which runs its chunks through `call`; threads differ only in their scratch). Every
   * thread claims the next chunk until none is left; returns each chunk's result in chunk order.
   * Always waits for every worker before returning, so no worker still writes memory when the
   * caller goes on.
   */
  run(fn: RowKernel, lists: number[][][], call: (args: number[]) => number): number[] {
    const id = ROW_KERNELS.indexOf(fn), chunks = lists[0]!.length, nargs = lists[0]![0]!.length;
    if (chunks > MAX_CHUNKS || nargs > MAX_ARGS) throw new Error(`internal: ${chunks} chunks of ${nargs} arguments`);
    const used = this.slots.filter((s) => Atomics.load(s.ctl, STATE) === 1).slice(0, lists.length - 1);
    Atomics.store(this.next, 0, 0);
    used.forEach((s, k) => {
      const mine = lists[k + 1]!;
      for (let j = 0; j < chunks; j++) s.f64.set(mine[j]!, ARGS + j * nargs);
      s.ctl[NARGS] = nargs; s.ctl[NCHUNKS] = chunks; s.ctl[FN] = id;
      s.seq = Atomics.add(s.ctl, JOB, 1) + 1;
      Atomics.notify(s.ctl, JOB);
    });
    try {
      for (let j; (j = Atomics.add(this.next, 0, 1)) < chunks;) this.results[1 + j] = call(lists[0]![j]!);
    } finally {
      for (const s of used) {
        const block = canBlock(s.ctl);
        for (let k = 0; k < SPIN && Atomics.load(s.ctl, DONE) !== s.seq; k++);
        while (Atomics.load(s.ctl, DONE) !== s.seq) if (block) Atomics.wait(s.ctl, DONE, s.seq - 1, 50);
        if (s.ctl[ERR]) throw new Error(`a worker trapped in ${fn}`);
      }
    }
    return Array.from(this.results.subarray(1, 1 + chunks));
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

import { Worker } from "node:worker_threads";
import type { BatchResult, BatchSpec, SweepSequence } from "./sweep-batch.js";
import type { SweepJob, SweepJobAnswer, SweepThreadMessage } from "./sweep-worker.js";
import type { WorkerRef } from "./worker-ref.js";

/** Whether the parallel pool can run here: it needs the compiled worker script. */
export function poolAvailable(): boolean {
  return import.meta.url.endsWith(".js");
}

/** Heap limit of each sweep thread (MB): a leaking worker fails its thread, not the machine. */
export const threadHeapMb = 256;

/**
 * Memory kept (heap and external, MB after a full GC: properties/thread-memory.ts) at which a sweep
 * thread is retired and a fresh one started, between batches: half its heap limit. A worker that keeps memory from run to
 * run (a leak) is then bounded to this, and never runs its thread into the limit, which would kill
 * the thread and fail the sweep; one that keeps nothing never pays a fresh thread's start (V8
 * compiles the simulator anew, about a second of CPU). Until this round threads were retired every
 * 5,000 runs, whatever their heap, for a leak of the fenced and consul-api-lock workers that is
 * gone (Node 20 never frees an `AbortSignal.any` composite that has a listener; the locks now link
 * their signals by hand): `check --worker fenced --runs 20000 --keep-going` on two threads went
 * from 381 and 404 runs/s to 497 and 470 with no retirement, at the same peak RSS (211 MB).
 */
export const threadRetireLiveMb = threadHeapMb / 2;

/**
 * Growth (MB) over a thread's first figure that also retires it, for a worker that holds much
 * from the start (tables loaded at import): it is retired at max(threadRetireLiveMb, first + this),
 * not after every batch for memory it never lets go of.
 */
export const threadRetireGrowthMb = 64;

/**
 * Runs after which a thread that never reported a figure (no full GC seen: a Node that reports
 * none) is retired anyway, as every thread was every 5,000 runs before: a leak is bounded still.
 */
export const threadRunsWithoutFigureMax = 50_000;

/** How far below the heap limit (MB) a thread is retired at the latest, whatever its first figure. */
export const threadRetireMarginMb = 32;

/** What the pool knows of one thread's memory. */
interface ThreadMemory {
  /** Runs answered since the thread started. */
  runs: number;
  /** Its first figure (MB after a full GC), the baseline for growth. */
  firstMb?: number;
}

/** Whether a thread that just answered a batch of `runs` runs with `liveMb` is to be retired. */
export function shouldRetire(memory: ThreadMemory, runs: number, liveMb: number | undefined): boolean {
  memory.runs += runs;
  if (liveMb === undefined) return memory.runs >= threadRunsWithoutFigureMax;
  memory.firstMb ??= liveMb;
  // Never above the heap limit less a margin: a bound the thread cannot reach would let it die of
  // out-of-memory instead.
  return liveMb >= Math.min(Math.max(threadRetireLiveMb, memory.firstMb + threadRetireGrowthMb), threadHeapMb - threadRetireMarginMb);
}

// Whether a thread died of its heap limit (Node: ERR_WORKER_OUT_OF_MEMORY).
function outOfMemory(error: Error): boolean {
  return (error as { code?: unknown }).code === "ERR_WORKER_OUT_OF_MEMORY";
}

/** What every batch of a pool shares. */
export interface SweepPoolJob {
  sequence: SweepSequence;
  worker: WorkerRef;
  collectVerdicts: boolean;
  /**
   * Runs a batch on the calling thread. The first batch runs here (a thread imports the
   * simulator, fast-check and the worker module before its first batch: hundreds of ms on a busy
   * machine), so a sweep whose first batch fails does not wait for threads at all. Batches are
   * deterministic wherever they run.
   */
  inProcess?: ((spec: BatchSpec) => Promise<BatchResult>) | undefined;
}

interface QueuedBatch {
  spec: BatchSpec;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

/**
 * Sweep threads: each takes one batch at a time (generation happens on the thread, so no scenario
 * crosses between threads) and answers its result. `run` queues a batch on the next free thread.
 */
export class SweepPool {
  private readonly idle: Worker[] = [];
  private readonly memoryOf = new Map<Worker, ThreadMemory>();
  private all: Worker[] = [];
  private readonly queue: QueuedBatch[] = [];
  private ready = 0;
  private inProcessBusy = false;
  private bootError: Error | undefined;

  private readonly threads: number;

  constructor(threads: number, job: SweepPoolJob) {
    this.threads = Math.max(1, threads);
    this.job = job;
    if (!job.inProcess) this.startThreads();
  }

  private readonly job: SweepPoolJob;

  /**
   * How many sweep threads this pool has started, replacements included (0 until the first
   * in-process batch has ended without a counterexample, and forever once closed before that).
   * Read by tests: a pool closed while its in-process batch runs must start none.
   */
  get threadsStarted(): number {
    return this.started;
  }
  private started = 0;

  // With `inProcess`, the threads start once the first batch run here has ended without a
  // counterexample: on a machine with few cores, threads that load while the first batch runs
  // slow it down, and a sweep that fails in its first batch (most sweeps of a broken worker)
  // never needs them.
  private startThreads(): void {
    if (this.closed || this.all.length > 0) return;
    for (let i = 0; i < this.threads; i++) this.all.push(this.startThread());
  }

  // A thread joins the idle ones when it says it has loaded; failing before that fails the pool.
  private startThread(): Worker {
    this.started++;
    const w = new Worker(new URL("./sweep-worker.js", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: threadHeapMb } });
    this.memoryOf.set(w, { runs: 0 });
    const onBootError = (error: Error): void => {
      this.bootError = error;
      for (const item of this.queue.splice(0)) item.reject(error);
    };
    w.once("error", onBootError);
    w.once("message", (m: SweepThreadMessage) => {
      w.off("error", onBootError);
      if (!("ready" in m)) return onBootError(new Error("sweep thread: expected its ready message first"));
      this.ready++;
      this.idle.push(w);
      this.next();
    });
    return w;
  }

  /** Runs one batch on a thread (the first one here when `inProcess` is given). */
  run(spec: BatchSpec): Promise<BatchResult> {
    if (this.bootError) return Promise.reject(this.bootError);
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, resolve, reject });
      this.next();
    });
  }

  // Runs the next queued batch here; when it ends, the threads start (unless it found a
  // counterexample) and every later batch waits for them. Running more batches here while they
  // load was tried: a thread's ready message was not read until the main thread stopped running
  // batches (measured: all 60 batches of a 3,000-run sweep ran here), so the sweep ran on one
  // thread.
  private runHere(inProcess: (spec: BatchSpec) => Promise<BatchResult>): void {
    const item = this.queue.shift()!;
    this.inProcessBusy = true;
    inProcess(item.spec).then(
      (result) => {
        this.inProcessBusy = false;
        item.resolve(result);
        if (result.firstFailure === undefined) this.startThreads();
        this.next();
      },
      (error: Error) => {
        this.inProcessBusy = false;
        item.reject(error);
      },
    );
  }

  private next(): void {
    if (this.closed) return;
    const inProcess = this.job.inProcess;
    if (inProcess && this.all.length === 0 && !this.inProcessBusy && this.queue.length > 0) return this.runHere(inProcess);
    const thread = this.idle.pop();
    const item = thread && this.queue.shift();
    if (!thread || !item) {
      if (thread) this.idle.push(thread);
      return;
    }
    const onError = (error: Error): void => {
      thread.off("message", onMessage);
      item.reject(outOfMemory(error) ? new Error(`a sweep thread ran out of its ${threadHeapMb} MB heap within one batch (runs ${item.spec.start + 1}–${item.spec.start + item.spec.count}); threads are retired at ${threadRetireLiveMb} MB kept after a full GC, so the worker under test keeps memory very fast, or one batch needs that much (${error.message})`, { cause: error }) : error);
    };
    const onMessage = (answer: SweepJobAnswer): void => {
      thread.off("error", onError);
      const memory = this.memoryOf.get(thread)!;
      // A batch still in flight when the sweep ended answers after close(): its thread goes too.
      if (this.closed) void thread.terminate().catch(() => undefined);
      else if (shouldRetire(memory, item.spec.count, answer.liveMb)) this.retire(thread, answer.liveMb);
      else this.idle.push(thread);
      if (answer.ok) item.resolve(answer.result);
      else item.reject(new Error(answer.error));
      this.next();
    };
    thread.once("message", onMessage);
    thread.once("error", onError);
    const { inProcess: _local, ...shared } = this.job;
    thread.postMessage({ ...shared, spec: item.spec } satisfies SweepJob);
  }

  /**
   * Threads retired because the memory they kept reached threadRetireLiveMb, and the largest
   * figure seen then (MB): the worker under test keeps memory from run to run.
   */
  get retired(): { threads: number; liveMbMax: number } {
    return { threads: this.retiredThreads, liveMbMax: this.retiredLiveMbMax };
  }
  private retiredThreads = 0;
  private retiredLiveMbMax = 0;

  // Retires a thread whose kept memory reached the bound; its replacement joins when it is ready.
  // Only a thread retired for what it kept counts in `retired` (the note to the user); one retired
  // for lack of a figure says nothing about the worker.
  private retire(thread: Worker, liveMb: number | undefined): void {
    if (liveMb !== undefined) {
      this.retiredThreads++;
      this.retiredLiveMbMax = Math.max(this.retiredLiveMbMax, liveMb);
    }
    this.memoryOf.delete(thread);
    this.ready--;
    this.all = this.all.filter((t) => t !== thread);
    void thread.terminate().catch(() => undefined);
    this.all.push(this.startThread());
  }

  /**
   * Stops every thread and starts none after this: a sweep that ended at a counterexample closes
   * the pool while later batches are still queued, and the in-process batch ending afterwards used
   * to start the threads anyway, which kept the process alive after its result.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const item of this.queue.splice(0)) item.reject(new Error("sweep pool closed"));
    await Promise.all(this.all.map((t) => t.terminate()));
  }
  private closed = false;
}

/**
 * Sweep threads replaced because the worker under test kept memory from run to run, and the most
 * one kept (MB after a full GC, heap and buffers): present only when a thread was replaced.
 */
export interface KeptMemory {
  threadsReplaced: number;
  mbMax: number;
}

/** The note a sweep prints when its worker kept memory from run to run. */
export function keptMemoryLine(k: KeptMemory): string {
  return `  note: ${k.threadsReplaced} sweep thread(s) were replaced because the worker kept memory from run to run: up to ${k.mbMax} MB after a full GC (heap and buffers; a thread is replaced at ${threadRetireLiveMb} MB, its heap limit is ${threadHeapMb} MB). In production such a worker grows until its process restarts; look for state kept across runs (caches, listeners, module-level arrays)`;
}

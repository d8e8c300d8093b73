import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

/**
 * The memory this thread keeps: its JavaScript heap plus the external memory its objects hold
 * (ArrayBuffers, Buffers), in MB, read right after its latest full (mark-compact) GC, when Node
 * reports that GC. Between full GCs the heap also holds garbage, so only the figure after one says
 * what the code keeps. A sweep thread whose worker keeps memory from run to run (a leak) shows it
 * growing; one whose worker keeps nothing stays flat (measured: 20 MB of heap after each 1,000 of
 * 6,000 fenced or consul-api-lock runs). External memory counts because a thread's heap limit does
 * not bound it: a worker keeping 1 MB in a typed array per host reached 4.7 GB of RSS in 1,500 runs.
 * Both figures are the isolate's own, so a thread measures only itself.
 */
export class LiveMemoryWatch {
  private liveMbLast: number | undefined;
  private fullGcsSeen = 0;
  private readonly observer = new PerformanceObserver((list) => {
    // Read here, a moment after the GC: what was allocated since is counted too, so the figure
    // errs high, which only retires a thread a little early.
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        const h = getHeapStatistics();
        this.liveMbLast = (h.used_heap_size + h.external_memory) / 2 ** 20;
        this.fullGcsSeen++;
        return;
      }
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /** MB kept after the latest full GC (heap and external), or undefined if none has run yet. */
  get liveMb(): number | undefined {
    return this.liveMbLast;
  }

  /** How many full GCs have given a figure so far. */
  get fullGcs(): number {
    return this.fullGcsSeen;
  }

  /** Stops observing. */
  stop(): void {
    this.observer.disconnect();
  }
}

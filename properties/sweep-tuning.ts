import { setFlagsFromString } from "node:v8";

/**
 * TurboFan's inlining budget for sweeps (bytes of bytecode inlined into one optimized function;
 * V8's default is 920). A sweep thread keeps optimizing for its first few hundred runs, and again
 * whenever a new fault path turns up: over 1,200 generated fenced runs, a third of its instructions
 * went to TurboFan compiling (callgrind, `--predictable`). A smaller budget makes each compile
 * cheaper: 1,200 fenced runs took 12.37 G instructions with the default, 11.44 G with 460, and the
 * wall rate of `check --worker fenced --runs 3000` on two threads rose by about 10–15% (noisy).
 * It is not used for the simulator's single long runs: there the deeper inlining pays (the echo
 * workload's event costs 15% more instructions at 230).
 */
export const sweepInlinedBytecodeSizeCumulative = 460;

let tuned = false;

/**
 * Sets the budget for this process and its threads (V8 flags are process-wide, read when a function
 * is compiled). The CLI's `check` calls it before its sweep; a library call never does, so a
 * user's test process keeps its own settings.
 */
export function tuneForSweeps(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${sweepInlinedBytecodeSizeCumulative}`);
}

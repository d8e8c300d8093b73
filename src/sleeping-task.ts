import type { Clock } from "./ports/clock.js";
import type { TaskSpec } from "./ports/task-store.js";

/** A task body that works for `task.durationMs` on `clock` and stops when `signal` aborts. */
export function sleepingTask(clock: Clock): (task: TaskSpec, signal: AbortSignal) => Promise<void> {
  return (task, signal) => clock.sleepMs(task.durationMs, signal);
}

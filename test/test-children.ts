import { AsyncLocalStorage } from "node:async_hooks";
import type { ChildProcess } from "node:child_process";

/**
 * Child processes a test starts belong to that test: when the test ends in any way (passes, fails,
 * times out) whatever of them still runs is stopped, so a failing or timed-out test cannot leave a
 * locksim CLI — and the agents it started — running for the rest of the suite or after it.
 *
 * Which test started a child is known from the async context: test/locksim-runner.ts runs every
 * test body inside `runInTestScope`, and everything the body starts, across awaits and timers,
 * carries that scope. (vitest's global onTestFinished cannot say this in a `describe.concurrent`
 * suite: its "current test" is whichever test last started or resumed.) A child started outside a
 * test body (beforeAll, module level) belongs to no test; process-end-guard.ts still kills it when
 * the worker process ends.
 */

/** A child a test started, and how to stop it. */
interface OwnedChild {
  child: ChildProcess;
  name: string;
  group: boolean;
}

/** The children of one test body. */
interface TestScope {
  testName: string;
  children: Set<OwnedChild>;
  /** Set once the test ended: a child its abandoned body (after a time-out) starts later is stopped at once. */
  ended: boolean;
}

/** How long a child has after SIGTERM to clean up and exit before it (and its group) is SIGKILLed (ms). */
export const childGraceMs = 15_000;

// One store for the process, also if this module is loaded twice (the runner and a test file may
// be evaluated by different module graphs).
const storeKey = Symbol.for("locksim.test-children");
const store = ((globalThis as Record<symbol, unknown>)[storeKey] ??= new AsyncLocalStorage<TestScope>()) as AsyncLocalStorage<TestScope>;

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/**
 * Stops a child the way the locksim CLI's contract asks (README, "Stopping locksim"): SIGTERM,
 * so it removes its sessions, keys, agents and temp dirs; after `childGraceMs` SIGKILL, to the
 * whole process group when it leads one (a CLI spawned detached: its agents are in it).
 */
async function stop(owned: OwnedChild, why: string): Promise<void> {
  const { child } = owned;
  if (!running(child)) return;
  process.stderr.write(`[test-children] ${why}: "${owned.name}" (pid ${child.pid}) still runs; SIGTERM, then SIGKILL${owned.group ? " to its process group" : ""} after ${childGraceMs / 1000}s\n`);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), childGraceMs)))]);
  clearTimeout(timer);
  if (late && running(child)) {
    // Still running, the leader holds its pid and so its group id: the group is this child's.
    if (owned.group) process.kill(-child.pid!, "SIGKILL");
    else child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Makes `child` belong to the test whose body is running (see the module comment). `group`: the
 * child was spawned `detached` and leads a process group holding what it starts.
 */
export function ownChild(child: ChildProcess, options: { name: string; group?: boolean }): void {
  const scope = store.getStore();
  if (!scope || child.pid === undefined) return;
  const owned: OwnedChild = { child, name: options.name, group: options.group ?? false };
  if (scope.ended) {
    void stop(owned, `started after test "${scope.testName}" ended`);
    return;
  }
  scope.children.add(owned);
  child.once("exit", () => scope.children.delete(owned));
}

/**
 * Runs a test body (`body`, as given to the runner) in a scope of its own; once it settled (or
 * timed out: the runner's body is the time-out-wrapped function), stops whatever child it started
 * that still runs, then settles as the body did.
 */
export async function runInTestScope(testName: string, body: () => unknown): Promise<void> {
  const scope: TestScope = { testName, children: new Set(), ended: false };
  try {
    await store.run(scope, body);
  } finally {
    scope.ended = true;
    await Promise.all([...scope.children].map((owned) => stop(owned, `test "${testName}" ended`)));
  }
}

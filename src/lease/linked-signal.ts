/** A signal that follows two others, and the way to let go of them. */
export interface LinkedSignal {
  /** Aborts, with the first source's reason, as soon as either source aborts. */
  signal: AbortSignal;
  /** Stops following the sources (idempotent): call it when the signal is no longer needed. */
  unlink(): void;
}

const nothingToUnlink = (): void => undefined;

/**
 * `AbortSignal.any([first, second])`, made by hand so that it can be let go: Node 20 keeps a
 * composite signal that has a listener alive for as long as its sources live, so a worker whose
 * run signal outlives thousands of locks leaked one per lock (and `any` costs more to build). The
 * listeners are removed when the signal aborts or `unlink` is called.
 *
 * Like `any`, a source that is already aborted gives an aborted signal at once. One difference:
 * `any` aborts its composite after the source's own listeners have run, this one from its
 * listener, so listeners added to a source *after* linking run after the linked signal's. Callers
 * link when the sources have no other listeners that depend on that order.
 */
export function linkSignals(first: AbortSignal, second: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  if (first.aborted || second.aborted) {
    controller.abort(first.aborted ? first.reason : second.reason);
    return { signal: controller.signal, unlink: nothingToUnlink };
  }
  const unlink = (): void => {
    first.removeEventListener("abort", onFirst);
    second.removeEventListener("abort", onSecond);
  };
  const onFirst = (): void => {
    unlink();
    controller.abort(first.reason);
  };
  const onSecond = (): void => {
    unlink();
    controller.abort(second.reason);
  };
  first.addEventListener("abort", onFirst);
  second.addEventListener("abort", onSecond);
  return { signal: controller.signal, unlink };
}

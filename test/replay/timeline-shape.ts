import type { TraceRecord } from "../../src/trace-events.js";

/**
 * The shape of a run's timeline, without times, session ids or which worker won a race: what each
 * lock tenure's holder did from taking the lock to letting it go, and how tenures interleave with
 * the faults and the cluster's leader changes. Two worlds that tell the same story have the same
 * shape; the times and the error texts around the status may differ.
 */
export interface TimelineShape {
  /** Per tenure, in the order they began: the holder's lock/task/effect records, as labels. */
  tenures: string[][];
  /** Tenure starts and ends, applied faults and elections, in order. */
  story: string[];
}

/** "task.abort[500 EOF]": a record's kind with the HTTP status of the error it carries (and EOF when the body says so). */
function label(kind: string, error: string | undefined): string {
  if (error === undefined) return kind;
  const status = /answered (\d{3})/.exec(error)?.[1] ?? error.split(":")[0];
  return `${kind}[${status}${/\bEOF\b/.test(error) ? " EOF" : ""}]`;
}

/** The shape of a trace (simulated or real): see TimelineShape. */
export function timelineShape(records: readonly TraceRecord[]): TimelineShape {
  const tenures: string[][] = [];
  const story: string[] = [];
  const open = new Map<string, string[]>();
  // A tenure taken after the effect landed, in which the holder only saw the task done and let go,
  // is a race between the idle worker's retry and the run's end (real scheduling decides whether
  // it happens before the worker exits); it tells nothing about the fault, so it is left out.
  let committed = false;
  const idleAfterCommit = new Map<string[], number>(); // tenure → its "acquire" in the story
  const dropped: number[] = [];
  const close = (host: string, last: string): void => {
    const t = open.get(host);
    if (!t) return;
    t.push(last);
    open.delete(host);
    story.push("let-go");
    if (idleAfterCommit.has(t) && t.length === 2 && last === "lock.released") {
      tenures.splice(tenures.indexOf(t), 1);
      dropped.push(idleAfterCommit.get(t)!, story.length - 1);
    }
  };
  for (const r of records) {
    switch (r.kind) {
      case "lock.acquired": {
        const t = ["lock.acquired"];
        tenures.push(t);
        open.set(r.host, t);
        if (committed) idleAfterCommit.set(t, story.length);
        story.push("acquire");
        break;
      }
      case "task.start":
      case "task.end":
        open.get(r.host)?.push(r.kind);
        break;
      case "task.abort":
      case "task.no-commit":
        open.get(r.host)?.push(label(r.kind, r.data.reason));
        break;
      case "store.commit":
        open.get(r.data.worker)?.push(r.data.accepted ? "store.commit" : "store.refused");
        if (r.data.accepted) committed = true;
        break;
      case "lock.released":
        close(r.host, "lock.released");
        break;
      case "unlock.error":
        close(r.host, label("unlock.error", r.data.error));
        break;
      case "host.crash":
        close(r.host, "host.crash");
        break;
      case "fault.applied":
        story.push(`fault:${r.data.type}`);
        break;
      case "consul.leader.elected":
        story.push("elected");
        break;
      default:
        break;
    }
  }
  return { tenures, story: story.filter((_, i) => !dropped.includes(i)) };
}

import type { FaultNote, TraceArgs, TraceKind } from "../../src/trace-events.js";
import type { Fault } from "../scenario/scenario-schema.js";
import { describeFault, faultRow, faultTarget, type FaultVerbs } from "./fault-table.js";

/** What the engine needs from a world besides the verbs: a timer and the trace. */
export interface FaultStage {
  /** Runs `run` at `atMs` (ms from the start of the run) in this world's time. */
  at(atMs: number, label: string, run: () => void): void;
  /** Appends to this world's trace. */
  record<K extends TraceKind>(host: string, kind: K, ...data: TraceArgs<K>): void;
}

/** The trace note of a fault. */
export function faultNote(f: Fault): FaultNote {
  return { type: f.type, target: faultTarget(f), fault: describeFault(f) };
}

/**
 * Plays a scenario's faults through the fault table in one world: at each fault's time it applies
 * it (or records why it was skipped), and at the end of its duration undoes it. The records are
 * the same in both worlds: `fault.applied` before the world's own records of the verb (host.crash,
 * net.partition…), `fault.undone` before those of the undo.
 */
export function playFaults(options: { faults: readonly Fault[]; verbs: FaultVerbs; stage: FaultStage }): void {
  const { verbs, stage } = options;
  for (const f of options.faults) {
    const row = faultRow(f);
    const note = faultNote(f);
    stage.at(f.atMs, `fault.${f.type}`, () => {
      const why = row.apply.skip?.(f, verbs);
      if (why !== undefined) return stage.record(note.target, "fault.skipped", { ...note, why });
      stage.record(note.target, "fault.applied", note);
      const cannot = row.apply.run(f, verbs);
      if (typeof cannot === "string") return stage.record(note.target, "fault.skipped", { ...note, why: cannot });
      const afterMs = row.undoAfterMs?.(f);
      const undo = row.undo;
      if (afterMs === undefined || !undo) return;
      stage.at(f.atMs + afterMs, `fault.undo.${f.type}`, () => {
        const whyNot = undo.skip?.(f, verbs);
        if (whyNot !== undefined) return stage.record(note.target, "fault.skipped", { ...note, why: `undo: ${whyNot}` });
        stage.record(note.target, "fault.undone", note);
        undo.run(f, verbs);
      });
    });
  }
}

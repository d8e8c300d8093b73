import { describe, expect, it } from "vitest";
import { Trace } from "../../sim/trace.js";
import { timelineShape } from "./timeline-shape.js";

describe("timelineShape", () => {
  const trace = (idleAfterCommit: boolean): Trace => {
    const t = new Trace();
    t.record(0, "w1", "lock.acquired", { task: "t1", session: "a" });
    t.record(1, "w2", "lock.acquired", { task: "t2", session: "b" }); // idle before any commit: kept
    t.record(2, "w2", "lock.released", { task: "t2" });
    t.record(3, "w1", "task.start", { task: "t1" });
    t.record(4, "store", "store.commit", { task: "t1", worker: "w1", token: null, accepted: true });
    t.record(5, "w1", "lock.released", { task: "t1" });
    if (idleAfterCommit) {
      t.record(6, "w2", "lock.acquired", { task: "t1", session: "c" });
      t.record(7, "w2", "lock.released", { task: "t1" });
    }
    return t;
  };
  it("leaves out a tenure that only found the effect done (a race with the run's end), and nothing else", () => {
    expect(timelineShape(trace(true).records)).toEqual(timelineShape(trace(false).records));
    expect(timelineShape(trace(false).records)).toEqual({
      tenures: [["lock.acquired", "task.start", "store.commit", "lock.released"], ["lock.acquired", "lock.released"]],
      story: ["acquire", "acquire", "let-go", "let-go"],
    });
  });
});

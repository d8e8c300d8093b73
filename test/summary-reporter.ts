// Prints the plain closing line "N passed, N failed" (and skipped) that CI reads, after vitest's
// own report (onFinished runs after the default reporter's summary).
import type { Reporter } from "vitest/reporters";

interface TaskLike {
  type: string;
  mode?: string;
  tasks?: TaskLike[];
  result?: { state?: string };
}

export default class SummaryReporter implements Reporter {
  onFinished(files: TaskLike[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (t: TaskLike): void => {
      if (t.type === "test") {
        const state = t.result?.state;
        if (state === "pass") counts.passed++;
        else if (state === "fail") counts.failed++;
        else counts.skipped++;
      }
      for (const c of t.tasks ?? []) visit(c);
    };
    for (const f of files) {
      if (f.result?.state === "fail" && !(f.tasks ?? []).length) counts.failed++;
      visit(f);
    }
    counts.failed += errors.length;
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ""}\n`);
  }
}

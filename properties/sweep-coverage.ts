import { markCatalog, type MarkInfo } from "../sim/coverage/coverage-marks.js";

// A sweep's coverage: how many runs reached each mark, and the required marks none reached.

/** Every built-in mark with its run count, then any other mark a worker wrote. */
export function coverageTable(marks: Record<string, number>): Record<string, number> {
  const table: Record<string, number> = {};
  for (const m of Object.keys(markCatalog)) table[m] = marks[m] ?? 0;
  for (const [m, n] of Object.entries(marks)) table[m] ??= n;
  return table;
}

/** Required marks that were never reached, with the hint of what enables each. */
export function unreached(required: string[] | undefined, marks: Record<string, number>): { mark: string; enabledBy: string }[] {
  return (required ?? []).filter((m) => !marks[m]).map((mark) => ({ mark, enabledBy: (markCatalog as Record<string, MarkInfo>)[mark]?.enabledBy ?? customMarkHint(mark) }));
}

// A name that is no built-in mark is one the worker writes itself, or a typo of a built-in one:
// the nearest built-in name is suggested when it is within a quarter of its length (at least 2).
function customMarkHint(mark: string): string {
  const typed = mark.toLowerCase();
  let near: { name: string; distance: number } | undefined;
  for (const known of Object.keys(markCatalog)) {
    const distance = editDistance(known, typed);
    if (distance <= Math.max(2, Math.floor(known.length / 4)) && (!near || distance < near.distance)) near = { name: known, distance };
  }
  return `a \`mark\` record your worker writes (no built-in mark is named "${mark}"${near ? `; did you mean ${near.name}?` : ""})`;
}

// Levenshtein distance, for the one suggestion above.
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

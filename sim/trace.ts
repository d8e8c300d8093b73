import { createHash } from "node:crypto";

/** One line of the trace: what happened, when (virtual ms), on which host. */
export interface TraceRecord {
  atMs: number;
  /** The host concerned, or "-" for the world, the network and Consul. */
  host: string;
  kind: string;
  data: Record<string, unknown> | undefined;
}

/**
 * The append-only log of a run. Checkers read it; the report prints it; its hash proves that two
 * runs were identical (same seed → same bytes → same hash).
 */
export class Trace {
  readonly records: TraceRecord[] = [];

  /** Appends one record. `data` must be JSON-serialisable and built deterministically. */
  record(atMs: number, host: string, kind: string, data?: Record<string, unknown>): void {
    this.records.push({ atMs, host, kind, data });
  }

  /** The canonical text of one record: the bytes that the hash covers. */
  static line(r: TraceRecord): string {
    return `${r.atMs}\t${r.host}\t${r.kind}${r.data === undefined ? "" : `\t${JSON.stringify(r.data)}`}`;
  }

  /** The whole trace as text, one record a line. */
  text(): string {
    return this.records.map(Trace.line).join("\n");
  }

  /** SHA-256 (hex) of the canonical text; equal hashes mean byte-identical traces. */
  hash(): string {
    const h = createHash("sha256");
    for (const r of this.records) {
      h.update(Trace.line(r));
      h.update("\n");
    }
    return h.digest("hex");
  }

  /** Records of one kind (or of kinds with a given prefix, when `kind` ends with "*"). */
  ofKind(kind: string): TraceRecord[] {
    if (kind.endsWith("*")) {
      const prefix = kind.slice(0, -1);
      return this.records.filter((r) => r.kind.startsWith(prefix));
    }
    return this.records.filter((r) => r.kind === kind);
  }
}

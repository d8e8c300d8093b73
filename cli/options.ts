import { InvalidArgumentError } from "commander";
import { isResourcePolicy, resourcePolicies, type ResourcePolicy } from "../src/resources/resource-policy.js";
import { isWorkerKind, workerKinds, type WorkerKind } from "../src/workers/worker-kinds.js";
import type { JudgeMode } from "../sim/scenario/expectations.js";

/** Commander parsers: each names what it expected and what it found. */
export function parseWorker(value: string): WorkerKind {
  if (!isWorkerKind(value)) throw new InvalidArgumentError(`expected one of ${Object.keys(workerKinds).join(", ")}; found "${value}"`);
  return value;
}

export function parseResource(value: string): ResourcePolicy {
  if (!isResourcePolicy(value)) throw new InvalidArgumentError(`expected one of ${resourcePolicies.join(", ")}; found "${value}"`);
  return value;
}

/**
 * `--seed`: a whole number, or any other text, which is hashed to one (sweepSeed), so that a word
 * such as a branch name can seed a sweep. A number too large to be exact is refused: it would
 * silently be another seed.
 */
export function parseSeed(value: string): number | string {
  if (!/^-?\d+$/.test(value)) return value;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (or a word, hashed to a seed); found "${value}"`);
  return n;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}; found "${value}"`);
  return n;
}

/** A numeric sweep seed from any seed text (FNV-1a for words). */
export function sweepSeed(seed: number | string | undefined): number {
  if (typeof seed === "number") return seed;
  if (seed === undefined) return Math.floor(Math.random() * 2 ** 31);
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Options shared by `run` and `replay` (simulator). */
export interface RunFlags {
  worker?: WorkerKind;
  workerModule?: string;
  seed?: number | string;
  resource?: ResourcePolicy;
  json?: boolean;
  strict?: boolean;
  expectFixed?: boolean;
  checkDeterminism?: boolean;
  /** Write a self-contained HTML timeline here. */
  html?: string;
}

/** The judging mode the flags ask for. */
export function judgeMode(flags: Pick<RunFlags, "strict" | "expectFixed">): JudgeMode {
  return flags.strict ? "strict" : flags.expectFixed ? "fixed" : "expect";
}

/** `--shard i/n`. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count) throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n (e.g. 2/4); found "${value}"`);
  return { index, count };
}

/** A duration greater than 0, with its unit: `500ms`, `90s`, `15m`, `2h`. */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  const expected = "a duration greater than 0 with its unit, such as 500ms, 90s, 15m or 2h";
  if (!m) throw new InvalidArgumentError(`expected ${expected}; found "${value}"${/^\d+(\.\d+)?$/.test(value.trim()) ? " (no unit)" : ""}`);
  const ms = Math.round(Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"]);
  if (ms <= 0) throw new InvalidArgumentError(`expected ${expected}; found "${value}"`);
  return ms;
}

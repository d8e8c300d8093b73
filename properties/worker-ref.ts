import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError } from "../src/errors.js";
import { isWorkerKind, workerKinds, type WorkerKind } from "../src/workers/worker-kinds.js";
import type { WorkerFactory } from "../src/workers/worker-types.js";

/**
 * Which worker a run uses, in a form that crosses threads and files: a reference worker by kind,
 * or a user's module (an absolute path) and the name of its export.
 */
export type WorkerRef = { kind: WorkerKind } | { module: string; export: string };

/** A worker ready to run: its reference, its display name and its factory. */
export interface LoadedWorker {
  /** Undefined for a factory handed in directly: it cannot cross to a thread or into a file. */
  ref: WorkerRef | undefined;
  /** The name reports and scenario expectations use: the kind, or `file#export` (`file` for a default export). */
  name: string;
  factory: WorkerFactory;
}

const typeScript = /\.[cm]?tsx?$/;

/** Splits `path#export` (the export defaults to "default"). */
export function parseModuleSpec(spec: string, baseDir = process.cwd()): { module: string; export: string } {
  const hash = spec.lastIndexOf("#");
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const name = hash > 0 ? spec.slice(hash + 1) : "default";
  if (!name) throw new InputError(`--worker-module ${spec}: expected file#exportName; found an empty export name`, { field: "worker-module" });
  const module = isAbsolute(file) ? file : resolve(baseDir, file);
  if (!existsSync(module)) throw new InputError(`--worker-module ${spec}: expected a file; found nothing at ${module}`, { field: "worker-module" });
  return { module, export: name };
}

/** The display name of a reference. */
export function workerRefName(ref: WorkerRef): string {
  if ("kind" in ref) return ref.kind;
  const file = basename(ref.module).replace(/\.[cm]?[jt]sx?$/, "");
  return ref.export === "default" ? file : `${file}#${ref.export}`;
}

/** The reference as a scenario file records it: the module path relative to the file's folder. */
export function workerRefForFile(ref: WorkerRef, file: string): { module: string; export: string } | { kind: WorkerKind } {
  if ("kind" in ref) return ref;
  const rel = relative(dirname(resolve(file)), ref.module).split("\\").join("/");
  return { module: rel.startsWith(".") ? rel : `./${rel}`, export: ref.export };
}

const cache = new Map<string, Record<string, unknown>>();

/**
 * Imports a module once per thread. A TypeScript file loads through tsx's `tsImport` (a
 * maintained loader built on esbuild: it strips types, handles ESM and `.js`-suffixed imports of
 * `.ts` files, and needs no tsconfig), so a user's worker runs without a build step.
 */
async function importModule(module: string): Promise<Record<string, unknown>> {
  const hit = cache.get(module);
  if (hit) return hit;
  const url = pathToFileURL(module).href;
  let mod: Record<string, unknown>;
  try {
    if (typeScript.test(module)) {
      const { tsImport } = await import("tsx/esm/api");
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new InputError(`--worker-module ${module}: cannot import it: ${error instanceof Error ? error.message : String(error)}`, { field: "worker-module" });
  }
  cache.set(module, mod);
  return mod;
}

/**
 * A file in a package without `"type": "module"` (what `npm init` writes) loads as CommonJS, and
 * Node's import then shows its whole exports object as `default` (a TypeScript file's named and
 * default exports become properties of it). Picking looks inside that object.
 */
function commonJsExports(mod: Record<string, unknown>): Record<string, unknown> | undefined {
  const inner = mod.default;
  if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return undefined;
  // Only a CommonJS module's exports: compiled ES modules carry __esModule, and Node names a
  // CommonJS module's exports object "module.exports" too. An ES module's `export default {…}` is left alone.
  const commonJs = (inner as { __esModule?: unknown }).__esModule === true || "module.exports" in mod;
  if (!commonJs) return undefined;
  const { __esModule: _marker, ...exports } = inner as Record<string, unknown>;
  return exports;
}

/** Picks the factory: the named export; for "default", the default export, else `worker`, else the only function. */
function pickFactory(loaded: Record<string, unknown>, ref: { module: string; export: string }): WorkerFactory {
  const inner = commonJsExports(loaded);
  const mod = inner !== undefined && typeof loaded[ref.export] !== "function" ? { ...inner, default: inner.default } : loaded;
  const functions = Object.keys(mod).filter((k) => typeof mod[k] === "function");
  let picked: unknown = mod[ref.export];
  if (ref.export === "default" && typeof picked !== "function") picked = typeof mod.worker === "function" ? mod.worker : functions.length === 1 ? mod[functions[0]!] : undefined;
  if (typeof picked !== "function") {
    const want = ref.export === "default" ? "a WorkerFactory as the default export, as `worker`, or as the only exported function" : `a WorkerFactory exported as \`${ref.export}\``;
    throw new InputError(`--worker-module ${ref.module}: expected ${want}; found exports ${Object.keys(mod).join(", ") || "(none)"}${functions.length > 1 ? ` (pick one with ${basename(ref.module)}#name)` : ""}`, { field: "worker-module" });
  }
  return picked as WorkerFactory;
}

/** Loads a worker from its reference. */
export async function loadWorker(ref: WorkerRef): Promise<LoadedWorker> {
  if ("kind" in ref) return { ref, name: ref.kind, factory: workerKinds[ref.kind] };
  const mod = await importModule(ref.module);
  return { ref, name: workerRefName(ref), factory: pickFactory(mod, ref) };
}

/** A reference from CLI-style input: a kind name, or a `path#export` module spec. */
export function workerRefFrom(input: { kind?: string; module?: string; baseDir?: string }): WorkerRef {
  if (input.module) return parseModuleSpec(input.module, input.baseDir);
  const kind = input.kind ?? "naive";
  if (!isWorkerKind(kind)) throw new InputError(`--worker: expected one of ${Object.keys(workerKinds).join(", ")}; found "${kind}"`, { field: "worker" });
  return { kind };
}

/**
 * Where a run's progress is visible from another thread: the world writes its step count, virtual
 * time and current host into shared memory before each event, so that a watchdog on the main
 * thread can stop a worker that never yields (`while (true) {}`, an endless microtask loop) and
 * name the host and the virtual time it stopped at. Unset (the default) it costs one branch a step.
 */
export interface ProgressBeacon {
  /** [steps, nowMs] */
  numbers: Float64Array;
  /** The current host id, UTF-8, zero-padded. */
  host: Uint8Array;
}

const hostBytes = 64;

/** Shared memory for a beacon (pass it to the thread, then `attachBeacon` there). */
export function beaconBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(16 + hostBytes);
}

/** A beacon over shared memory. */
export function beaconOver(buffer: SharedArrayBuffer): ProgressBeacon {
  return { numbers: new Float64Array(buffer, 0, 2), host: new Uint8Array(buffer, 16, hostBytes) };
}

let current: ProgressBeacon | undefined;
let lastHost: string | undefined;

/** Makes every world in this thread report to `beacon`. */
export function attachBeacon(beacon: ProgressBeacon | undefined): void {
  current = beacon;
  lastHost = undefined;
}

/** Called by the world before each event. */
export function beaconStep(steps: number, nowMs: number, hostId: string | undefined): void {
  if (!current) return;
  current.numbers[0] = steps;
  current.numbers[1] = nowMs;
  if (hostId !== lastHost) {
    lastHost = hostId;
    current.host.fill(0);
    current.host.set(new TextEncoder().encode((hostId ?? "-").slice(0, hostBytes)));
  }
}

/** What the beacon says now (read from the watching thread). */
export function readBeacon(beacon: ProgressBeacon): { steps: number; nowMs: number; host: string } {
  const end = beacon.host.indexOf(0);
  return { steps: beacon.numbers[0]!, nowMs: beacon.numbers[1]!, host: new TextDecoder().decode(beacon.host.slice(0, end < 0 ? undefined : end)) };
}

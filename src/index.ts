// The public API of locksim: what a user imports to plug their own worker into the harness.
export type { Clock } from "./ports/clock.js";
export type { Random } from "./ports/random.js";
export type {
  CallOptions,
  ConsulPort,
  KvEntry,
  KvGetOptions,
  KvGetResult,
  KvPutOptions,
  SessionCreateOptions,
  SessionEntry,
  TxnOp,
  TxnOpError,
  TxnResult,
  TxnVerb,
} from "./ports/consul-port.js";
export { msToGoDuration } from "./ports/consul-port.js";
export type { ClaimResult, CommitRequest, CommitResult, TaskSpec, TaskStore } from "./ports/task-store.js";
export {
  AbortedError,
  ConsulHttpError,
  ConsulUnavailableError,
  InputError,
  LeaseExpiredError,
  LockLostError,
  LocksimError,
  SessionInvalidatedError,
} from "./errors.js";
export { InMemoryResource, type CommitRecord, type InMemoryResourceOptions } from "./resources/in-memory-resource.js";
export { resourcePolicies, defaultResourcePolicy, isResourcePolicy, type ResourcePolicy } from "./resources/resource-policy.js";
export { RecordingConsulPort } from "./recording-consul-port.js";
export { ForwardingConsulPort } from "./forwarding-consul-port.js";
export { sleepingTask } from "./sleeping-task.js";
export {
  defaultWorkerSettings,
  lockKey,
  type HeldLock,
  type LockHandle,
  type LockStrategy,
  type Worker,
  type WorkerEnv,
  type WorkerFactory,
  type WorkerSettings,
} from "./workers/worker-types.js";
export { jobRunner, type TaskOutcome } from "./workers/job-runner.js";
export { naiveWorker } from "./workers/naive-worker.js";
export { consulApiLockWorker } from "./workers/consul-api-lock-worker.js";
export { ConsulApiLock, apiLockDefaults, type ApiLockOptions, LockConflictError, LockHeldError, LockNotHeldError } from "./workers/consul-api-lock.js";
export { fencedWorker } from "./workers/fenced-worker.js";
export { txnFencedWorker, effectTxnOps } from "./workers/txn-fenced-worker.js";
export { effectKey, effectValue, effectCommitsOfTxn, type ConsulEffectCommit, type ObservedTxn, type ObservedTxnOp } from "./resources/consul-effects.js";
export { acquireFencedLock, fencedLockDefaults, type FencedLock, type FencedLockEvent, type FencedLockOptions } from "./lease/fenced-lock.js";
export { LocalLease } from "./lease/local-lease.js";
export { runLeaseRenewer, type LeaseRenewerOptions } from "./lease/lease-renewer.js";
export { runLeaseWatchdog, type LeaseWatchdogOptions } from "./lease/lease-watchdog.js";
export { runLockMonitor, lockMonitorRetryMs, lockMonitorWaitMs, type LockMonitorOptions } from "./lease/lock-monitor.js";
export { workerKinds, isWorkerKind, type WorkerKind } from "./workers/worker-kinds.js";
export { systemClock, systemRandom } from "./real/system-clock.js";
export { ConsulClientPort, type ConsulClientPortOptions } from "./real/consul-client-port.js";
export { defaultClientDeadline, goClientDeadline, describeClientDeadline, type ClientDeadline } from "./client-deadline.js";
export { clientDeadlineOf } from "./workers/worker-types.js";

import { ExpectedError, LocksimError } from "../../src/errors.js";

/**
 * Raised inside the model's FSM or server RPC: Consul answers HTTP 500 with the message as the
 * body, verbatim (consul-semantics.md §0: server-side validation errors are 500 with Go's text).
 * `context` holds the values that were refused (session id, key, TTL…). An ExpectedError, so built
 * without a stack trace: it is an answer the model gives (an acquire with a dead session, a bad id),
 * not a bug, and nothing reads where it was thrown.
 */
export class RpcError extends ExpectedError {}

/**
 * A session-create body that Consul's JSON decoder refuses: Consul answers 400
 * `Request decode failed: <message>` (consul-semantics.md §1). The message is Go's own text.
 */
export class DecodeError extends LocksimError {}

/** A routing-table row whose pattern the router cannot read: a bug in the table, found at construction. */
export class RoutePatternError extends LocksimError {}

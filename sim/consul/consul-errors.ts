import { LocksimError } from "../../src/errors.js";

/**
 * Raised inside the model's FSM or server RPC: Consul answers HTTP 500 with the message as the
 * body, verbatim (consul-semantics.md §0: server-side validation errors are 500 with Go's text).
 * `context` holds the values that were refused (session id, key, TTL…).
 */
export class RpcError extends LocksimError {}

/**
 * A session-create body that Consul's JSON decoder refuses: Consul answers 400
 * `Request decode failed: <message>` (consul-semantics.md §1). The message is Go's own text.
 */
export class DecodeError extends LocksimError {}

/** A routing-table row whose pattern the router cannot read: a bug in the table, found at construction. */
export class RoutePatternError extends LocksimError {}

/**
 * A Consul HTTP exchange, as plain data: the common language of the model, the conformance suite
 * and the simulated network. Query values are strings; a flag without a value (`?consistent`) is "".
 */
export interface HttpRequest {
  method: "GET" | "PUT" | "DELETE";
  /** The path with its /v1 prefix, e.g. "/v1/kv/service/t1/leader". */
  path: string;
  query?: Record<string, string>;
  /** The raw body; undefined or "" for none. */
  body?: string | undefined;
}

/** Consul's answer. Header names are lower-case. */
export interface HttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

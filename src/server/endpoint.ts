/**
 * @module server/endpoint
 * An endpoint is data: method, path under `/mlflow`, a one-line summary, the request fields (for
 * OpenAPI and documentation) and a handler from request params to a response object. The router
 * mounts each one under `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow`.
 */
import type { RegistryStore } from "../registry/store.js";
import type { TrackingStore } from "../tracking/store.js";
import type { RequestParams } from "./params.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface FieldDoc {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "string[]" | "object[]" | "object";
  required?: boolean;
}

export interface EndpointContext {
  readonly store: TrackingStore;
  readonly registry: RegistryStore;
  /** Folder or `s3://` URI behind `mlflow-artifacts:/`, or undefined when artifacts are not served. */
  readonly artifactsDestination: string | undefined;
  /** Who made this request (see server/user.ts); "anonymous" without credentials. */
  readonly user: string;
}

export interface Endpoint {
  readonly methods: readonly HttpMethod[];
  /** Path after the `/mlflow/` prefix, e.g. `runs/log-metric`. */
  readonly path: string;
  readonly summary: string;
  readonly fields: readonly FieldDoc[];
  /** Other paths answering the same way, for clients that call a misspelled one. */
  readonly aliases?: readonly string[];
  /** Only on `/ajax-api` (the UI's routes), as in MLflow. */
  readonly ajaxOnly?: boolean;
  readonly handle: (params: RequestParams, context: EndpointContext) => Promise<Record<string, unknown>>;
}

export function field(name: string, type: FieldDoc["type"], required = false): FieldDoc {
  return { name, type, required };
}

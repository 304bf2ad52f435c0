/**
 * @module core/errors
 * The one error type of Lathe. Every failure a user can cause carries a stable `code`; one table maps
 * that code to an HTTP status, the MLflow `error_code` name clients rebuild exceptions from, and a
 * CLI exit code. The statuses follow MLflow's server mapping (reference/mlflow.md §1), including its
 * quirks: RESOURCE_ALREADY_EXISTS is 400, INVALID_STATE is 500.
 */

export interface ErrorCodeInfo {
  /** HTTP status the server answers with. */
  readonly status: number;
  /** The MLflow `error_code` name sent on the wire. */
  readonly mlflowCode: string;
  /** Process exit code for the CLI. */
  readonly exitCode: number;
}

export const ERROR_CODES = {
  INVALID_PARAMETER_VALUE: { status: 400, mlflowCode: "INVALID_PARAMETER_VALUE", exitCode: 2 },
  BAD_REQUEST: { status: 400, mlflowCode: "BAD_REQUEST", exitCode: 2 },
  RESOURCE_ALREADY_EXISTS: { status: 400, mlflowCode: "RESOURCE_ALREADY_EXISTS", exitCode: 3 },
  RESOURCE_DOES_NOT_EXIST: { status: 404, mlflowCode: "RESOURCE_DOES_NOT_EXIST", exitCode: 4 },
  ENDPOINT_NOT_FOUND: { status: 404, mlflowCode: "ENDPOINT_NOT_FOUND", exitCode: 4 },
  UNAUTHENTICATED: { status: 401, mlflowCode: "UNAUTHENTICATED", exitCode: 5 },
  PERMISSION_DENIED: { status: 403, mlflowCode: "PERMISSION_DENIED", exitCode: 5 },
  RESOURCE_CONFLICT: { status: 409, mlflowCode: "RESOURCE_CONFLICT", exitCode: 6 },
  PAYLOAD_TOO_LARGE: { status: 413, mlflowCode: "BAD_REQUEST", exitCode: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, mlflowCode: "BAD_REQUEST", exitCode: 2 },
  REQUEST_LIMIT_EXCEEDED: { status: 429, mlflowCode: "REQUEST_LIMIT_EXCEEDED", exitCode: 7 },
  INVALID_STATE: { status: 500, mlflowCode: "INVALID_STATE", exitCode: 8 },
  INTERNAL_ERROR: { status: 500, mlflowCode: "INTERNAL_ERROR", exitCode: 1 },
  NOT_IMPLEMENTED: { status: 501, mlflowCode: "NOT_IMPLEMENTED", exitCode: 9 },
  TEMPORARILY_UNAVAILABLE: { status: 503, mlflowCode: "TEMPORARILY_UNAVAILABLE", exitCode: 10 },
  CONFIG_INVALID: { status: 500, mlflowCode: "INTERNAL_ERROR", exitCode: 78 },
  IO_ERROR: { status: 500, mlflowCode: "INTERNAL_ERROR", exitCode: 74 },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LatheError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LatheError";
    this.code = code;
  }

  get info(): ErrorCodeInfo {
    return ERROR_CODES[this.code];
  }

  /** The MLflow wire form: `{"error_code": ..., "message": ...}`. */
  toJSON(): { error_code: string; message: string } {
    return { error_code: this.info.mlflowCode, message: this.message };
  }
}

export function isLatheError(value: unknown): value is LatheError {
  return value instanceof LatheError;
}

/** Shorthand for the most common failure: a value the caller sent is wrong. */
export function invalidParameter(message: string): LatheError {
  return new LatheError("INVALID_PARAMETER_VALUE", message);
}

export function notFound(message: string): LatheError {
  return new LatheError("RESOURCE_DOES_NOT_EXIST", message);
}

export function alreadyExists(message: string): LatheError {
  return new LatheError("RESOURCE_ALREADY_EXISTS", message);
}

/**
 * @module client/rest
 * The SDK's HTTP transport over the global `fetch`: where the server is, credentials, MLflow's wire
 * conventions (GET fields in the query string with repeated keys, other verbs as JSON, doubles that
 * are not finite as "NaN"/"Infinity" strings; reference/mlflow.md §1), bounded retries with
 * exponential backoff, a per-attempt timeout, and every failure turned into a LatheError.
 */
import { ERROR_CODES, type ErrorCode, LatheError } from "../core/errors.js";
import { VERSION } from "../version.js";

/** Where the server is and how to talk to it; every field falls back to MLflow's environment variables. */
export interface RestClientOptions {
  /** Server URL; default `MLFLOW_TRACKING_URI`, else `http://127.0.0.1:5000`. */
  trackingUri?: string;
  /** Basic auth user; default `MLFLOW_TRACKING_USERNAME`. */
  username?: string;
  /** Basic auth password; default `MLFLOW_TRACKING_PASSWORD`. */
  password?: string;
  /** Bearer token (wins over Basic auth); default `MLFLOW_TRACKING_TOKEN`. */
  token?: string;
  /** Per-attempt timeout in ms; default `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds), else 120 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default `MLFLOW_HTTP_REQUEST_MAX_RETRIES`, else 5. */
  maxRetries?: number;
  /** First backoff delay in ms, doubled on each retry, with jitter; default 200. */
  backoffMs?: number;
  /** Longest single backoff delay in ms; default 10 s. */
  maxBackoffMs?: number;
  /** The fetch to use (tests wrap it to count requests); default the global one. */
  fetch?: typeof fetch;
  /** Environment to read defaults from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What a request body may be (the DOM's BodyInit, which Node's types do not name globally). */
export type RequestBody = NonNullable<RequestInit["body"]>;

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Readonly<Record<string, QueryValue>>;

export interface SendOptions {
  query?: Query;
  /** Builds the body; called once per attempt so a stream can be reopened for a retry. */
  body?: () => RequestBody;
  headers?: Record<string, string>;
  /**
   * Whether repeating the request after an ambiguous failure (a 5xx, a timeout, a dropped connection)
   * is harmless. Default: every verb but POST. A refused connection or a 429 is always retried, since
   * the server never acted on the request.
   */
  idempotent?: boolean;
}

export const DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const START_HINT =
  "Start a server with `npx lathe server` (it listens on http://127.0.0.1:5000), or set MLFLOW_TRACKING_URI to the URL of a running one.";

/** MLflow error names Lathe has no code of its own for, mapped to the nearest one. */
const ERROR_ALIASES: Readonly<Record<string, ErrorCode>> = {
  NOT_FOUND: "RESOURCE_DOES_NOT_EXIST",
  ALREADY_EXISTS: "RESOURCE_ALREADY_EXISTS",
  ABORTED: "RESOURCE_CONFLICT",
  CUSTOMER_UNAUTHORIZED: "UNAUTHENTICATED",
  RESOURCE_EXHAUSTED: "REQUEST_LIMIT_EXCEEDED",
  DEADLINE_EXCEEDED: "TEMPORARILY_UNAVAILABLE",
  DATA_LOSS: "INTERNAL_ERROR",
};

/** The code MLflow's client falls back to from the status when the body names none (§1). */
function codeForStatus(status: number): ErrorCode {
  if (status === 404) return "ENDPOINT_NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 409) return "RESOURCE_CONFLICT";
  if (status === 429) return "REQUEST_LIMIT_EXCEEDED";
  if (status === 501) return "NOT_IMPLEMENTED";
  if (status === 503 || status === 504) return "TEMPORARILY_UNAVAILABLE";
  return status >= 400 && status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
}

/**
 * Maps a server's MLflow `error_code` (and HTTP status) back to a Lathe error code: the code with that
 * wire name and status when there is one (so a 413 BAD_REQUEST is PAYLOAD_TOO_LARGE again), else the
 * code of the same name, else the nearest alias, else the status's code.
 */
export function errorCodeFromWire(errorCode: string | undefined, status: number): ErrorCode {
  if (errorCode !== undefined) {
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    const exact = codes.find(
      (code) => ERROR_CODES[code].mlflowCode === errorCode && ERROR_CODES[code].status === status,
    );
    if (exact) return exact;
    if (errorCode in ERROR_CODES) return errorCode as ErrorCode;
    const alias = ERROR_ALIASES[errorCode];
    if (alias) return alias;
  }
  return codeForStatus(status);
}

/** JSON with non-finite numbers as proto-JSON strings; plain JSON.stringify would turn them into null. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== "number" || Number.isFinite(item)) return item;
    return Number.isNaN(item) ? "NaN" : item > 0 ? "Infinity" : "-Infinity";
  });
}

/**
 * Parses a response body. Python's json module writes bare NaN/Infinity tokens, which JSON.parse
 * refuses, so on failure those tokens (outside strings) are quoted and the text parsed again.
 */
export function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const quoted = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) =>
      token.startsWith('"') ? token : `"${token}"`,
    );
    if (quoted === text) throw error;
    return JSON.parse(quoted);
  }
}

function readNumber(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new LatheError("CONFIG_INVALID", `${what} must be a non-negative number; got '${raw}'.`);
  }
  return value;
}

/** The root cause's errno-style code (ECONNREFUSED, ...) of a fetch failure, if any. */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === "string") return code;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A small REST client for one tracking server.
 *
 * @example
 * const rest = new RestClient({ trackingUri: "http://127.0.0.1:5000" });
 * const { experiment_id } = await rest.call("POST", "experiments/create", { body: { name: "iris" } });
 */
export class RestClient {
  /** The server's base URL, without a trailing slash or credentials. */
  readonly baseUrl: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: RestClientOptions = {}) {
    const env = options.env ?? process.env;
    const raw = options.trackingUri ?? (env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      url = new URL("invalid:");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new LatheError(
        "CONFIG_INVALID",
        `Tracking URI '${raw}' is not an http(s) URL. The Lathe client talks to a tracking server: set MLFLOW_TRACKING_URI to e.g. ${DEFAULT_TRACKING_URI}.`,
      );
    }
    // fetch refuses URLs with credentials, so user:password@ becomes Basic auth.
    const urlUser = decodeURIComponent(url.username);
    const urlPassword = decodeURIComponent(url.password);
    url.username = "";
    url.password = "";
    this.baseUrl = url.href.replace(/\/+$/, "");
    const token = options.token ?? env.MLFLOW_TRACKING_TOKEN;
    const username = options.username ?? (env.MLFLOW_TRACKING_USERNAME || urlUser);
    const password = options.password ?? (env.MLFLOW_TRACKING_PASSWORD || urlPassword);
    if (token) this.#authorization = `Bearer ${token}`;
    else if (username) this.#authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    const timeoutSeconds = readNumber(env.MLFLOW_HTTP_REQUEST_TIMEOUT, "MLFLOW_HTTP_REQUEST_TIMEOUT");
    this.#timeoutMs = options.timeoutMs ?? (timeoutSeconds !== undefined ? timeoutSeconds * 1000 : 120_000);
    this.#maxRetries =
      options.maxRetries ?? readNumber(env.MLFLOW_HTTP_REQUEST_MAX_RETRIES, "MLFLOW_HTTP_REQUEST_MAX_RETRIES") ?? 5;
    this.#backoffMs = options.backoffMs ?? 200;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** The absolute URL of `path` (which starts with `/`) with `query` appended. */
  url(path: string, query?: Query): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      const items: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value as string];
      for (const item of items) search.append(key, String(item));
    }
    const text = search.toString();
    return `${this.baseUrl}${path}${text ? `?${text}` : ""}`;
  }

  /**
   * Calls an MLflow JSON endpoint under `/api/2.0/mlflow/` (or another `/`-rooted path): `params` go in
   * the query string for GET and as the JSON body otherwise. Returns the response object.
   */
  async call(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    endpoint: string,
    params: Readonly<Record<string, unknown>> = {},
    options: { idempotent?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const path = endpoint.startsWith("/") ? endpoint : `/api/2.0/mlflow/${endpoint}`;
    const response =
      method === "GET"
        ? await this.send(method, path, { query: params as Query, idempotent: options.idempotent })
        : await this.send(method, path, {
            body: () => encodeJson(params),
            headers: { "content-type": "application/json" },
            idempotent: options.idempotent,
          });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? {} : decodeJson(text);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new LatheError(
        "INTERNAL_ERROR",
        `${method} ${path} on ${this.baseUrl} answered 200 without a JSON object (${text.slice(0, 120)}). Is MLFLOW_TRACKING_URI the tracking server?`,
      );
    }
    return parsed as Record<string, unknown>;
  }

  /** Sends one request with retries; returns the successful (2xx) response, or throws a LatheError. */
  async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    const idempotent = options.idempotent ?? method !== "POST";
    const headers: Record<string, string> = { "user-agent": `lathe-client/${VERSION}`, ...options.headers };
    if (this.#authorization) headers.authorization = this.#authorization;
    for (let attempt = 0; ; attempt++) {
      const body = options.body?.();
      let response: Response;
      try {
        const init: RequestInit & { duplex?: "half" } = {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        };
        // Node's fetch needs `duplex` to send a stream body.
        if (body instanceof ReadableStream) init.duplex = "half";
        response = await this.#fetch(url, init);
      } catch (error) {
        const refused = causeCode(error) === "ECONNREFUSED";
        if ((refused || idempotent) && attempt < this.#maxRetries) {
          await sleep(this.#delay(attempt));
          continue;
        }
        throw this.#connectionError(method, path, error, attempt + 1);
      }
      if (RETRY_STATUSES.has(response.status) && (idempotent || response.status === 429)) {
        if (attempt < this.#maxRetries) {
          await response.body?.cancel();
          await sleep(this.#delay(attempt, response.headers.get("retry-after")));
          continue;
        }
      }
      if (response.ok) return response;
      throw await this.#responseError(method, path, response);
    }
  }

  #delay(attempt: number, retryAfter?: string | null): number {
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, this.#maxBackoffMs);
    const exponential = Math.min(this.#backoffMs * 2 ** attempt, this.#maxBackoffMs);
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  #connectionError(method: string, path: string, error: unknown, attempts: number): LatheError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    if (isTimeout(error)) {
      return new LatheError(
        "TEMPORARILY_UNAVAILABLE",
        `The tracking server at ${this.baseUrl} did not answer ${method} ${path} within ${this.#timeoutMs / 1000} s${tries}. Check that it is up, or raise MLFLOW_HTTP_REQUEST_TIMEOUT (seconds).`,
        { cause: error },
      );
    }
    const code = causeCode(error);
    return new LatheError(
      "TEMPORARILY_UNAVAILABLE",
      `Could not reach the tracking server at ${this.baseUrl}${code ? ` (${code})` : ""}${tries} for ${method} ${path}. ${START_HINT}`,
      { cause: error },
    );
  }

  async #responseError(method: string, path: string, response: Response): Promise<LatheError> {
    const text = await response.text().catch(() => "");
    let body: { error_code?: unknown; message?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object") body = parsed;
    } catch {
      body = undefined;
    }
    const wireCode = typeof body?.error_code === "string" ? body.error_code : undefined;
    const code = errorCodeFromWire(wireCode, response.status);
    if (typeof body?.message === "string" && body.message !== "") return new LatheError(code, body.message);
    const detail = text.trim().slice(0, 300);
    let hint = detail ? `: ${detail}` : ".";
    if (response.status === 401 || response.status === 403) {
      hint += " Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN.";
    } else if (code === "ENDPOINT_NOT_FOUND") {
      hint = `: the server at ${this.baseUrl} has no such endpoint.`;
    }
    return new LatheError(code, `${method} ${path} failed with HTTP ${response.status}${hint}`);
  }
}

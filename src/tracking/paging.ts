/**
 * @module tracking/paging
 * Page tokens and result caps. Tokens are what MLflow sends, base64 of `{"offset": N}`, so a token
 * from either server works with the other's client; a bad token is a 400, never a crash.
 */
import { invalidParameter } from "../core/errors.js";

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(":", ": ")).toString("base64");
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter(
      `Invalid page token, could not base64-decode: '${token.slice(0, 100)}'. Pass the next_page_token of a previous response unchanged.`,
    );
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(
      `Invalid page token: '${token.slice(0, 100)}' has no valid offset. Pass the next_page_token of a previous response unchanged.`,
    );
  }
  return offset;
}

/** Applies MLflow's default and cap; non-positive or too large values are a 400 naming the range. */
export function resolveMaxResults(value: number | undefined, defaultValue: number, max: number, what: string): number {
  if (value === undefined) return defaultValue;
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw invalidParameter(
      `Invalid value ${value} for parameter 'max_results' supplied. It must be a positive integer at most ${max} for ${what}.`,
    );
  }
  return value;
}

/** A token for the next page when this one came back full, as MLflow's SQL store does. */
export function nextPageToken(offset: number, returned: number, maxResults: number): string | undefined {
  return returned === maxResults ? encodePageToken(offset + returned) : undefined;
}

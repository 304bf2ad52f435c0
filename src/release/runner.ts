/**
 * @module release/runner
 * Talks to an environment's model server: waits until it serves the version being released (read
 * from the KServe V2 model metadata, whose `versions` lists what `lathe serve` has loaded), then
 * sends every smoke request and checks each answer. The report keeps every request, what was
 * expected, what came back and why it failed, so a failing release can be read without rerunning it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { LatheError } from "../core/errors.js";
import { checkAnswer, type SmokeAnswer } from "./compare.js";
import type { SmokeExpectation, SmokeFile, SmokeProtocol, SmokeRequest } from "./smoke-file.js";

/** One smoke request and how it went. */
export interface SmokeResult {
  readonly name: string;
  readonly protocol: SmokeProtocol;
  /** The path it was sent to, e.g. `/invocations`. */
  readonly path: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly expected: SmokeExpectation;
  /** The HTTP status; absent when the server did not answer. */
  readonly status?: number;
  /** The answer's body (JSON, or its text). */
  readonly got: unknown;
  readonly passed: boolean;
  /** Why it failed. */
  readonly reason?: string;
}

/** Everything a smoke test found; stored with the release as `smoke-report.json`. */
export interface SmokeReport {
  readonly endpoint: string;
  readonly model: string;
  readonly version: string;
  readonly file: string;
  /** ISO time the first request was sent. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly passed: number;
  readonly failed: number;
  readonly total: number;
  readonly results: readonly SmokeResult[];
}

export interface EndpointOptions {
  /** How long to wait for the endpoint (and for each request), in ms. */
  readonly timeoutMs: number;
  /** Pause between two looks at the endpoint while waiting, in ms (default 250). */
  readonly intervalMs?: number;
}

/** The base URL without a trailing slash. */
export function normalizeEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, "");
}

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof Error && error.name === "TimeoutError") return "it did not answer in time";
  return `it does not answer (${cause?.code ?? cause?.message ?? (error as Error).message})`;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** What the endpoint serves now: its version, or a sentence saying what it does instead. */
async function lookAt(
  endpoint: string,
  model: string,
  timeoutMs: number,
): Promise<{ version?: string; state: string }> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/v2/models/${encodeURIComponent(model)}`, {
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
  } catch (error) {
    return { state: describeFailure(error) };
  }
  const body = await readBody(response);
  if (response.status === 200 && typeof body === "object" && body !== null) {
    const versions = (body as { versions?: unknown }).versions;
    const version = Array.isArray(versions) && versions.length > 0 ? String(versions[0]) : undefined;
    return version === undefined
      ? { state: `it serves '${model}' without a registry version (a local or run model)` }
      : { version, state: `it serves '${model}' version ${version}` };
  }
  if (response.status === 404) {
    const listing = await fetch(`${endpoint}/v2/models`, { signal: AbortSignal.timeout(Math.max(1, timeoutMs)) })
      .then(async (answer) => (await answer.json()) as { models?: unknown })
      .catch(() => undefined);
    const served = Array.isArray(listing?.models) ? listing.models.join(", ") : "";
    return { state: served ? `it serves ${served}, not '${model}'` : `it has no model '${model}' (404)` };
  }
  return { state: `it answers ${response.status} to GET /v2/models/${model}` };
}

/**
 * Waits until `endpoint` serves `version` of `model`, looking every `intervalMs`.
 *
 * @throws LatheError TEMPORARILY_UNAVAILABLE naming the endpoint and what it serves when the time runs out
 */
export async function waitForVersion(
  endpoint: string,
  model: string,
  version: string,
  options: EndpointOptions & { environment: string; alias: string },
): Promise<void> {
  const base = normalizeEndpoint(endpoint);
  const deadline = Date.now() + options.timeoutMs;
  // Each look gets its own time, so the last one before the deadline can still say what is served.
  const lookTimeoutMs = Math.min(5000, Math.max(1000, options.timeoutMs));
  for (;;) {
    const seen = await lookAt(base, model, lookTimeoutMs);
    if (seen.version === version) return;
    if (Date.now() >= deadline) {
      throw new LatheError(
        "TEMPORARILY_UNAVAILABLE",
        `The ${options.environment} endpoint ${base} did not serve '${model}' version ${version} within ${options.timeoutMs / 1000}s: ${seen.state}. Check that it runs \`lathe serve models:/${model}@${options.alias}\` against this tracking server (it picks up an alias move within its --poll-seconds), or give a longer --timeout.`,
      );
    }
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(1, deadline - Date.now())));
  }
}

function pathOf(request: SmokeRequest, model: string): string {
  return request.protocol === "v2" ? `/v2/models/${encodeURIComponent(model)}/infer` : "/invocations";
}

async function send(base: string, path: string, request: SmokeRequest, timeoutMs: number): Promise<SmokeAnswer> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await readBody(response) };
}

/** Sends every request of `smoke` to the endpoint, one after another, and checks each answer. */
export async function runSmokeTest(
  endpoint: string,
  model: string,
  version: string,
  smoke: SmokeFile,
  options: EndpointOptions,
): Promise<SmokeReport> {
  const base = normalizeEndpoint(endpoint);
  const startedAt = new Date();
  const results: SmokeResult[] = [];
  for (const request of smoke.requests) {
    const path = pathOf(request, model);
    const common = { name: request.name, protocol: request.protocol, path, request: request.body };
    let answer: SmokeAnswer;
    try {
      answer = await send(base, path, request, options.timeoutMs);
    } catch (error) {
      const reason = `no answer from ${base}${path}: ${describeFailure(error)}`;
      results.push({ ...common, expected: request.expect, got: null, passed: false, reason });
      continue;
    }
    let reason = checkAnswer(request.protocol, request.expect, answer);
    const answeredBy = (answer.body as { model_version?: unknown } | null)?.model_version;
    if (reason === undefined && answeredBy !== undefined && String(answeredBy) !== version) {
      reason = `answered by version ${String(answeredBy)}, not ${version}`;
    }
    results.push({
      ...common,
      expected: request.expect,
      status: answer.status,
      got: answer.body,
      passed: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
    });
  }
  const failed = results.filter((result) => !result.passed).length;
  return {
    endpoint: base,
    model,
    version,
    file: smoke.source,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    passed: results.length - failed,
    failed,
    total: results.length,
    results,
  };
}

/** The version the endpoint serves now, or undefined when it cannot tell. */
export async function servedVersion(endpoint: string, model: string, timeoutMs: number): Promise<string | undefined> {
  return (await lookAt(normalizeEndpoint(endpoint), model, timeoutMs)).version;
}

/**
 * @module release/compare
 * Checks a smoke request's answer against its expectation: the status first, then the predictions
 * (or V2 outputs) value by value — strings and booleans exactly, numbers within the tolerance. The
 * first difference is reported with its place, e.g. `predictions[1]: expected virginica, got versicolor`.
 */
import type { SmokeExpectation, SmokeProtocol } from "./smoke-file.js";

/** What a smoke request got back. */
export interface SmokeAnswer {
  readonly status: number;
  /** The parsed JSON body, or the text when it was not JSON. */
  readonly body: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Flattens nested lists row-major (V2 data may be sent flat or nested). */
function flat(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value];
}

/**
 * The first place where `got` differs from `expected`, or undefined when they match. Lists must have
 * the same length, records the same keys; numbers may differ by at most `tolerance`.
 */
export function findDifference(expected: unknown, got: unknown, tolerance: number, path: string): string | undefined {
  if (typeof expected === "number") {
    if (typeof got !== "number") return `${path}: expected the number ${expected}, got ${show(got)}`;
    if (Math.abs(got - expected) <= tolerance) return undefined;
    return tolerance === 0
      ? `${path}: expected ${expected}, got ${got}`
      : `${path}: expected ${expected} ± ${tolerance}, got ${got}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got)) return `${path}: expected a list of ${expected.length}, got ${show(got)}`;
    if (got.length !== expected.length) {
      return `${path}: expected ${expected.length} values, got ${got.length} (${show(got)})`;
    }
    for (let index = 0; index < expected.length; index++) {
      const difference = findDifference(expected[index], got[index], tolerance, `${path}[${index}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (isRecord(expected)) {
    if (!isRecord(got)) return `${path}: expected an object, got ${show(got)}`;
    const expectedKeys = Object.keys(expected).sort();
    const gotKeys = Object.keys(got).sort();
    const missing = expectedKeys.find((key) => !(key in got));
    if (missing !== undefined) return `${path}.${missing}: expected ${show(expected[missing])}, got nothing`;
    const extra = gotKeys.find((key) => !(key in expected));
    if (extra !== undefined) return `${path}.${extra}: not expected, got ${show(got[extra])}`;
    for (const key of expectedKeys) {
      const difference = findDifference(expected[key], got[key], tolerance, `${path}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (Object.is(expected, got) || expected === got) return undefined;
  // Quote both when the types differ, so `true` and `"true"` do not read alike.
  return typeof expected === typeof got
    ? `${path}: expected ${show(expected)}, got ${show(got)}`
    : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got) ?? "nothing"}`;
}

/** The V2 response's outputs as name → flat data. */
function outputsOf(body: unknown): Record<string, unknown[]> | undefined {
  if (!isRecord(body) || !Array.isArray(body.outputs)) return undefined;
  const outputs: Record<string, unknown[]> = {};
  for (const output of body.outputs) {
    if (isRecord(output) && typeof output.name === "string") outputs[output.name] = flat(output.data);
  }
  return outputs;
}

/** Why the answer fails the expectation, or undefined when it passes. */
export function checkAnswer(
  protocol: SmokeProtocol,
  expect: SmokeExpectation,
  answer: SmokeAnswer,
): string | undefined {
  if (answer.status !== expect.status) {
    const message = isRecord(answer.body)
      ? (answer.body.message ?? answer.body.error)
      : typeof answer.body === "string"
        ? answer.body
        : undefined;
    return `status ${answer.status}, expected ${expect.status}${message === undefined ? "" : ` (${show(message)})`}`;
  }
  if (expect.predictions !== undefined) {
    if (!isRecord(answer.body) || !("predictions" in answer.body)) {
      return `the answer has no 'predictions': ${show(answer.body)}`;
    }
    return findDifference(expect.predictions, answer.body.predictions, expect.tolerance, "predictions");
  }
  if (protocol === "v2" && expect.outputs !== undefined) {
    const outputs = outputsOf(answer.body);
    if (outputs === undefined) return `the answer has no 'outputs' list: ${show(answer.body)}`;
    for (const [name, data] of Object.entries(expect.outputs)) {
      const got = outputs[name];
      if (got === undefined) {
        return `outputs.${name}: no such output; the answer has ${Object.keys(outputs).join(", ") || "none"}`;
      }
      const difference = findDifference(flat(data), got, expect.tolerance, `outputs.${name}`);
      if (difference !== undefined) return difference;
    }
  }
  return undefined;
}

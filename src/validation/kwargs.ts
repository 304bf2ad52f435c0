/**
 * @module validation/kwargs
 * Declared kwargs of each expectation and their checks: a suite is validated whole before any data
 * is read, and a wrong value is reported with the expectation's index, the field and a fix.
 */
import { invalidParameter } from "../core/errors.js";
import type { Kwargs, KwargValue, PartitionObject } from "./types.js";

export type ArgKind =
  | "column"
  | "columns"
  | "bound"
  | "count"
  | "index"
  | "boolean"
  | "mostly"
  | "set"
  | "string"
  | "number"
  | "partition"
  | { oneOf: readonly string[] };

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  required?: boolean;
  default?: KwargValue;
}

/** Kwargs every expectation accepts and Lathe ignores (they shape GX's output, not the check). */
const PASSIVE = new Set(["result_format", "catch_exceptions", "include_config", "meta", "notes", "description"]);

const EXAMPLES: Record<string, string> = {
  column: 'column: "age"',
  columns: 'column_list: ["a", "b"]',
  bound: "min_value: 0",
  count: "min_value: 0",
  index: "column_index: 0",
  boolean: "strict_min: true",
  mostly: "mostly: 0.95",
  set: 'value_set: ["a", "b"]',
  string: 'regex: "^[a-z]+$"',
  number: "threshold: 0.1",
  partition: "partition_object: {bins: [0, 1, 2], weights: [0.5, 0.5]}",
};

function describe(kind: ArgKind): string {
  if (typeof kind === "object") return `one of ${kind.oneOf.map((value) => JSON.stringify(value)).join(", ")}`;
  return {
    column: "a column name (text)",
    columns: "a non-empty list of column names",
    bound: "a number, a text value or null",
    count: "a whole number ≥ 0 or null",
    index: "a whole number ≥ 0",
    boolean: "true or false",
    mostly: "a number between 0 and 1",
    set: "a list of numbers, text or booleans",
    string: "text",
    number: "a finite number",
    partition: "an object with weights and either bins or values",
  }[kind];
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
  );
}

function checkPartition(value: unknown): PartitionObject | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "must be an object";
  const object = value as Record<string, unknown>;
  const weights = object.weights;
  if (!Array.isArray(weights) || weights.length === 0 || !weights.every((w) => typeof w === "number" && w >= 0))
    return "needs weights: a non-empty list of numbers ≥ 0";
  const tails = object.tail_weights;
  if (tails !== undefined && !(Array.isArray(tails) && tails.length === 2 && tails.every((w) => typeof w === "number")))
    return "tail_weights must be two numbers [below, above]";
  const total =
    (weights as number[]).reduce((sum, w) => sum + w, 0) +
    ((tails as number[] | undefined) ?? [0, 0])[0]! +
    ((tails as number[] | undefined) ?? [0, 0])[1]!;
  if (Math.abs(total - 1) > 1e-6) return `weights (with tail_weights) must sum to 1, they sum to ${total}`;
  if (object.bins !== undefined) {
    const bins = object.bins;
    if (!Array.isArray(bins) || !bins.every((b) => typeof b === "number" && Number.isFinite(b)))
      return "bins must be a list of finite numbers";
    if (bins.length !== weights.length + 1) return `needs one more bin edge than weights (${weights.length + 1} edges)`;
    for (let i = 1; i < bins.length; i++) if (!(bins[i]! > bins[i - 1]!)) return "bins must be strictly increasing";
    return { bins, weights, ...(tails ? { tail_weights: tails as [number, number] } : {}) };
  }
  if (object.values !== undefined) {
    const values = object.values;
    if (!Array.isArray(values) || !values.every(isScalar)) return "values must be a list of numbers, text or booleans";
    if (values.length !== weights.length) return "needs as many values as weights";
    return { values, weights };
  }
  return "needs bins (continuous data) or values (categorical data)";
}

/** Checks one kwarg; returns the typed value or a message saying what is wrong. */
function checkValue(kind: ArgKind, value: unknown): { ok: KwargValue } | { error: string } {
  const fail = { error: `must be ${describe(kind)}` };
  if (typeof kind === "object") return typeof value === "string" && kind.oneOf.includes(value) ? { ok: value } : fail;
  switch (kind) {
    case "column":
    case "string":
      return typeof value === "string" && value.length > 0 ? { ok: value } : fail;
    case "columns":
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")
        ? { ok: value as string[] }
        : fail;
    case "bound":
      return value === null || isScalar(value) ? { ok: value } : fail;
    case "count":
      return value === null || (Number.isInteger(value) && (value as number) >= 0)
        ? { ok: value as number | null }
        : fail;
    case "index":
      return Number.isInteger(value) && (value as number) >= 0 ? { ok: value as number } : fail;
    case "boolean":
      return typeof value === "boolean" ? { ok: value } : fail;
    case "mostly":
      return typeof value === "number" && value >= 0 && value <= 1 ? { ok: value } : fail;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? { ok: value } : fail;
    case "set":
      return Array.isArray(value) && value.every(isScalar) ? { ok: value } : fail;
    case "partition": {
      const checked = checkPartition(value);
      return typeof checked === "string" ? { error: checked } : { ok: checked };
    }
  }
}

/** Validates `kwargs` against `specs`; `where` names the expectation in messages. */
export function checkKwargs(where: string, specs: readonly ArgSpec[], kwargs: Record<string, unknown>): Kwargs {
  const known = new Set(specs.map((spec) => spec.name));
  for (const name of Object.keys(kwargs))
    if (!known.has(name) && !PASSIVE.has(name))
      throw invalidParameter(
        `${where}: unknown kwarg '${name}'; it accepts ${specs.map((spec) => spec.name).join(", ")}. Remove or rename it.`,
      );
  const out: Record<string, KwargValue> = {};
  for (const spec of specs) {
    const raw = kwargs[spec.name];
    if (raw === undefined) {
      if (spec.required)
        throw invalidParameter(`${where}: kwargs.${spec.name} is missing; add it, e.g. ${example(spec)}.`);
      out[spec.name] = spec.default;
      continue;
    }
    const checked = checkValue(spec.kind, raw);
    if ("error" in checked)
      throw invalidParameter(
        `${where}: kwargs.${spec.name} ${checked.error}, got ${JSON.stringify(raw)}; e.g. ${example(spec)}.`,
      );
    out[spec.name] = checked.ok;
  }
  return out;
}

function example(spec: ArgSpec): string {
  if (typeof spec.kind === "object") return `${spec.name}: ${spec.kind.oneOf[0]}`;
  const text = EXAMPLES[spec.kind] ?? "";
  return `${spec.name}:${text.slice(text.indexOf(":") + 1)}`;
}

/** Throws unless at least one of min_value and max_value is set. */
export function requireABound(where: string, kwargs: Kwargs): void {
  if ((kwargs.min_value ?? null) === null && (kwargs.max_value ?? null) === null)
    throw invalidParameter(`${where}: set kwargs.min_value, kwargs.max_value or both; with neither it checks nothing.`);
}

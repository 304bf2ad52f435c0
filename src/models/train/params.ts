/**
 * @module models/train/params
 * Checking trainer parameters at the edge. Every check throws an INVALID_PARAMETER_VALUE LatheError
 * naming the parameter (as scikit-learn spells it), the value received and the allowed range.
 */
import { invalidParameter } from "../../core/errors.js";

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

/** Fails with a message naming the parameter, the value and what is allowed. */
export function badParameter(name: string, value: unknown, allowed: string): never {
  throw invalidParameter(`Invalid ${name}=${show(value)}: ${name} must be ${allowed}.`);
}

/** An integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    badParameter(name, value, range);
  }
  return value;
}

/** A finite number within bounds; `exclusiveMin` makes the lower bound strict. */
export function checkNumber(
  name: string,
  value: unknown,
  bounds: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean },
): number {
  const { min, max, exclusiveMin = false, exclusiveMax = false } = bounds;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (min === undefined || (exclusiveMin ? value > min : value >= min)) &&
    (max === undefined || (exclusiveMax ? value < max : value <= max));
  if (!ok) {
    const lower = min === undefined ? "" : `${exclusiveMin ? ">" : "≥"} ${min}`;
    const upper = max === undefined ? "" : `${exclusiveMax ? "<" : "≤"} ${max}`;
    badParameter(name, value, `a number ${[lower, upper].filter(Boolean).join(" and ")}`.trim());
  }
  return value as number;
}

/** One of a fixed set of strings. */
export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    badParameter(name, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return value as T;
}

/** A boolean. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") badParameter(name, value, "true or false");
  return value;
}

/** Refuses option names the trainer does not know, listing the ones it does. */
export function checkKnownOptions(algo: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    if (!known.includes(key)) {
      throw invalidParameter(`Unknown parameter ${key} for ${algo}; the parameters it takes are ${known.join(", ")}.`);
    }
  }
}

/** The seed from `random_state` or its alias `seed` (default 0). */
export function resolveSeed(options: { random_state?: number; seed?: number }): number {
  if (options.random_state !== undefined && options.seed !== undefined && options.random_state !== options.seed) {
    throw invalidParameter(
      `random_state=${options.random_state} and seed=${options.seed} disagree; they are the same parameter, pass one.`,
    );
  }
  const value = options.random_state ?? options.seed ?? 0;
  const name = options.random_state !== undefined ? "random_state" : "seed";
  return checkInteger(name, value, 0, 4294967295);
}

/**
 * `max_features` to a feature count: "sqrt", "log2", an integer count, a fraction in (0, 1], or
 * `null` for all features.
 */
export function resolveMaxFeatures(value: unknown, width: number): number {
  if (value === null) return width;
  if (value === "sqrt") return Math.max(1, Math.floor(Math.sqrt(width)));
  if (value === "log2") return Math.max(1, Math.floor(Math.log2(width)));
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value !== 1) {
    if (value > width) badParameter("max_features", value, `at most the number of features (${width})`);
    return value;
  }
  if (typeof value === "number" && value > 0 && value <= 1) return Math.max(1, Math.floor(value * width));
  return badParameter(
    "max_features",
    value,
    `"sqrt", "log2", null, an integer in [1, ${width}] or a fraction in (0, 1]`,
  );
}

/** `min_samples_split`: an integer ≥ 2, or a fraction in (0, 1] of the rows. */
export function resolveMinSamplesSplit(value: unknown, rows: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 2) return value;
  if (typeof value === "number" && value > 0 && value <= 1 && !Number.isInteger(value)) {
    return Math.max(2, Math.ceil(value * rows));
  }
  return badParameter("min_samples_split", value, "an integer ≥ 2 or a fraction in (0, 1)");
}

/** `min_samples_leaf`: an integer ≥ 1, or a fraction in (0, 0.5] of the rows. */
export function resolveMinSamplesLeaf(value: unknown, rows: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
  if (typeof value === "number" && value > 0 && value <= 0.5) return Math.max(1, Math.ceil(value * rows));
  return badParameter("min_samples_leaf", value, "an integer ≥ 1 or a fraction in (0, 0.5]");
}

/** `max_depth`: an integer ≥ 1, or `null` for unlimited. */
export function resolveMaxDepth(value: unknown): number {
  if (value === null || value === undefined) return Number.MAX_SAFE_INTEGER;
  return checkInteger("max_depth", value, 1);
}

/**
 * @module registry/validation
 * MLflow's registry input rules (reference/mlflow.md §3, §5): model names, version numbers, stages
 * (matched in any case), alias names and registry tag limits. Each failure is INVALID_PARAMETER_VALUE
 * with a message that names the value and says what is accepted.
 */
import { invalidParameter } from "../core/errors.js";
import type { Tag } from "../tracking/entities.js";
import { validateKey, validateLength } from "../tracking/validation.js";
import { MODEL_STAGES, type ModelStage } from "./entities.js";

export const REGISTRY_LIMITS = {
  modelNameLength: 256,
  aliasLength: 255,
  tagKeyLength: 250,
  tagValueLength: 5000,
  sourceLength: 4096,
} as const;

const ALIAS_PATTERN = /^[\w-]*$/;
const VERSION_ALIAS_PATTERN = /^[vV]\d+$/;
const VERSION_PATTERN = /^[+-]?\d+$/;

function clip(text: string, length = 80): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}

function hasControlChar(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/**
 * A registered model name: non-empty, at most 256 characters, no control characters and no `%`
 * (MLflow refuses `%` since 2.12: the UI puts names in URLs, where `m%6fdel` would open `model`).
 */
export function validateModelName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw invalidParameter("Registered model name cannot be empty. Pass a name such as 'iris-classifier'.");
  }
  if (name.length > REGISTRY_LIMITS.modelNameLength) {
    throw invalidParameter(
      `Registered model name '${clip(name)}' had length ${name.length}, which exceeded length limit of ${REGISTRY_LIMITS.modelNameLength}.`,
    );
  }
  if (name.includes("%") || hasControlChar(name)) {
    throw invalidParameter(
      `Invalid registered model name '${clip(name)}': names may not contain '%' or control characters.`,
    );
  }
  return name;
}

/** A version number as the wire carries it ("3"); MLflow accepts anything `int()` parses. */
export function parseVersion(version: unknown): number {
  const text = typeof version === "number" ? String(version) : typeof version === "string" ? version.trim() : "";
  const number = VERSION_PATTERN.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw invalidParameter(`Model version must be an integer, got '${clip(String(version))}'`);
  }
  return number;
}

/** The canonical spelling of a stage given in any case (`production` → `Production`). */
export function canonicalStage(stage: string): ModelStage {
  const found = MODEL_STAGES.find((candidate) => candidate.toLowerCase() === stage.trim().toLowerCase());
  if (found === undefined) {
    throw invalidParameter(
      `Invalid Model Version stage: ${clip(stage)}. Value must be one of ${MODEL_STAGES.join(", ")}.`,
    );
  }
  return found;
}

/**
 * An alias name: non-empty, letters, digits, `_` and `-`, at most 255 characters, and not one of
 * the forms a `models:/` URI already gives a meaning: `latest` (any case) and `v<digits>`.
 */
export function validateAlias(alias: unknown): string {
  if (typeof alias !== "string" || alias === "") {
    throw invalidParameter("Registered model alias name cannot be empty. Pass an alias such as 'champion'.");
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${clip(alias)}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > REGISTRY_LIMITS.aliasLength) {
    throw invalidParameter(
      `Registered model alias name '${clip(alias)}' had length ${alias.length}, which exceeded length limit of ${REGISTRY_LIMITS.aliasLength}.`,
    );
  }
  if (alias.toLowerCase() === "latest") {
    throw invalidParameter(
      "'latest' alias name (case insensitive) is reserved: models:/<name>/latest already means the newest version.",
    );
  }
  if (VERSION_ALIAS_PATTERN.test(alias)) {
    throw invalidParameter(
      `Version alias name '${alias}' is reserved: v<number> names a version. Choose a name such as 'champion'.`,
    );
  }
  return alias;
}

/** Registered model and model version tags: MLflow's key rules, key ≤250 and value ≤5000 characters. */
export function validateRegistryTag(tag: Tag, what: "Registered model" | "Model version"): Tag {
  validateKey("tag", tag.key);
  validateLength(`${what} tag value for key '${clip(tag.key, 40)}'`, tag.value, REGISTRY_LIMITS.tagValueLength);
  return tag;
}

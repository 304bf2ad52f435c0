/**
 * @module deploy/names
 * Checks of the names and numbers the generators accept, so bad flags fail with the fix.
 */
import { invalidParameter } from "../core/errors.js";

/** A Kubernetes/compose-safe name: lower-case letters, digits and hyphens, at most 63 characters. */
export function checkResourceName(name: string, flag = "--name"): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
    throw invalidParameter(
      `${flag} '${name}' is not a valid resource name. Use lower-case letters, digits and hyphens (at most 63), starting and ending with a letter or digit, e.g. churn-model.`,
    );
  return name;
}

/** A whole number within bounds, from a flag's text. */
export function parseWholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidParameter(`${flag} must be a whole number from ${min} to ${max}, got '${text}'.`);
  return value;
}

/** A container image reference (no spaces, a name part). */
export function checkImage(image: string): string {
  if (!/^[a-z0-9]+([._\-/:@][a-zA-Z0-9_.-]+)*$/.test(image))
    throw invalidParameter(
      `--image '${image}' is not an image reference. Write it like ghcr.io/acme/churn-model:1.0 or churn-model:latest.`,
    );
  return image;
}

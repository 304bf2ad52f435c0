/**
 * Shared by the trainers' unit tests (kept out of the build): the datasets they read, and a
 * comparison of nested numbers to a number of decimal digits.
 */
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const IRIS = fileURLToPath(new URL("../../../examples/iris/data/iris.csv", import.meta.url));
export const DIABETES = fileURLToPath(new URL("../../../test/fixtures/datasets/diabetes.csv", import.meta.url));

/** Expects `actual` to equal `expected` element by element (nested lists too) to `digits` decimals. */
export function expectClose(
  actual: readonly (number | readonly number[])[],
  expected: readonly (number | readonly number[])[],
  digits: number,
): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i]!;
    if (typeof want === "number") expect(got as number).toBeCloseTo(want, digits);
    else expectClose(got as number[], want, digits);
  });
}

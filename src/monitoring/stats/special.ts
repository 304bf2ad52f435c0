/**
 * @module monitoring/stats/special
 * Distribution tails the drift tests share. The special functions come from stdlib; this file only
 * adapts them to the tails the tests need (upper tails are computed directly, never as `1 - cdf`, so
 * tiny p-values keep their relative accuracy).
 */
import erfc from "@stdlib/math-base-special-erfc";
import gammainc from "@stdlib/math-base-special-gammainc";
import gammaln from "@stdlib/math-base-special-gammaln";

export { gammaln };

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** P(X > x) for X ~ χ²(dof). */
export function chiSquareSf(x: number, dof: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
}

/** ln C(n, k) for 0 ≤ k ≤ n. */
export function logBinomial(n: number, k: number): number {
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

/** numpy's `round`: halves go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * @module monitoring/stats/kolmogorov
 * The finite-n distribution of the one-sample Kolmogorov statistic D_n, which scipy's two-sample KS
 * uses for its asymptotic p-value (`kstwo.sf(D, round(en))`, reference/monitoring.md §3.1).
 *
 * No pure-JS package ships this distribution, so it is written here from the published methods, with
 * the regions chosen as scipy chooses them (Simard & L'Ecuyer 2011):
 * - closed forms near the ends of the support (Ruben–Gambino) and for d ≥ 0.5, where the two
 *   one-sided events are disjoint and P(D_n ≥ d) = 2·P(D_n⁺ ≥ d) exactly (Birnbaum–Tingey);
 * - Durbin's matrix (Marsaglia–Tsang–Wang 2003) where the answer is needed to full precision and
 *   the matrix is small;
 * - the Pelz–Good expansion for large n.
 */
/**
 * P(D_n⁺ ≥ d), the exact one-sided tail (Birnbaum–Tingey), summed in log space. ln C(n, j) is
 * carried from term to term (one log per step instead of three log-gammas).
 */
export function smirnovSf(n: number, d: number): number {
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const last = Math.floor(n * (1 - d) + 1e-12);
  let sum = 0;
  let logChoose = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logChoose += Math.log((n - j + 1) / j);
    const a = 1 - d - j / n;
    if (a <= 0) continue;
    const b = d + j / n;
    sum += Math.exp(logChoose + (n - j) * Math.log(a) + (j - 1) * Math.log(b));
  }
  return Math.min(1, d * sum);
}

const SCALE = 2 ** 500;
const SCALE_EXPONENT = 500;

function multiply(
  a: Float64Array<ArrayBufferLike>,
  b: Float64Array<ArrayBufferLike>,
  m: number,
): Float64Array<ArrayBufferLike> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      const rowB = k * m;
      const rowOut = i * m;
      for (let j = 0; j < m; j++) out[rowOut + j]! += aik * b[rowB + j]!;
    }
  }
  return out;
}

/** Keeps a matrix's entries in range; returns how many powers of two were taken out. */
function rescale(matrix: Float64Array<ArrayBufferLike>, centre: number): number {
  const value = Math.abs(matrix[centre]!);
  if (value > SCALE) {
    for (let i = 0; i < matrix.length; i++) matrix[i]! /= SCALE;
    return SCALE_EXPONENT;
  }
  return 0;
}

/** P(D_n < d) by Durbin's matrix method; exact up to rounding. */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const base = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) base[i * m + j] = i - j + 1 >= 0 ? 1 : 0;
  for (let i = 0; i < m; i++) {
    base[i * m]! -= h ** (i + 1);
    base[(m - 1) * m + i]! -= h ** (m - i);
  }
  if (2 * h - 1 > 0) base[(m - 1) * m]! += (2 * h - 1) ** m;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const span = i - j + 1;
      if (span <= 0) continue;
      let factorial = 1;
      for (let g = 2; g <= span; g++) factorial *= g;
      base[i * m + j]! /= factorial;
    }
  }
  const centre = (k - 1) * m + (k - 1);
  // Binary powering; `exponent` counts the powers of two divided out to avoid overflow.
  let result: Float64Array<ArrayBufferLike> | undefined;
  let resultExponent = 0;
  let power: Float64Array<ArrayBufferLike> = base;
  let powerExponent = 0;
  let remaining = n;
  while (remaining > 0) {
    if (remaining & 1) {
      if (result === undefined) {
        result = power.slice();
        resultExponent = powerExponent;
      } else {
        result = multiply(result, power, m);
        resultExponent += powerExponent + rescale(result, centre);
      }
    }
    remaining >>= 1;
    if (remaining > 0) {
      power = multiply(power, power, m);
      powerExponent = 2 * powerExponent + rescale(power, centre);
    }
  }
  let value = result![centre]!;
  let exponent = resultExponent;
  // Multiply by n!/n^n one factor at a time, renormalising so nothing underflows.
  for (let i = 1; i <= n; i++) {
    value = (value * i) / n;
    if (value < 1 / SCALE) {
      value *= SCALE;
      exponent -= SCALE_EXPONENT;
    }
  }
  return Math.min(1, Math.max(0, value * 2 ** exponent));
}

/** P(D_n ≤ d) from the Pelz–Good expansion to order 1/n (z = d·√n). */
export function kolmogorovCdfPelzGood(n: number, d: number): number {
  const z = d * Math.sqrt(n);
  const z2 = z * z;
  const pi2 = Math.PI * Math.PI;
  let k0 = 0;
  for (let k = 1; k < 200; k++) {
    const term = Math.exp((-((2 * k - 1) ** 2) * pi2) / (8 * z2));
    k0 += term;
    if (term < 1e-18 * k0) break;
  }
  k0 *= Math.sqrt(2 * Math.PI) / z;
  let s1 = 0;
  let s2a = 0;
  for (let k = 0; k < 200; k++) {
    const half = (k + 0.5) ** 2;
    const e = Math.exp((-pi2 * half) / (2 * z2));
    s1 += (pi2 * half - z2) * e;
    s2a +=
      (6 * z2 ** 3 + 2 * z2 * z2 + pi2 * (2 * z2 * z2 - 5 * z2) * half + pi2 * pi2 * (1 - 2 * z2) * half * half) * e;
    if (e < 1e-20) break;
  }
  let s2b = 0;
  for (let k = 1; k < 200; k++) {
    const e = Math.exp((-pi2 * k * k) / (2 * z2));
    s2b += pi2 * k * k * e;
    if (e < 1e-20) break;
  }
  const root = Math.sqrt(Math.PI / 2);
  const k1 = (root / (3 * z2 * z2)) * s1;
  const k2 = (root / z) * (s2a / (36 * z2 ** 3) - s2b / (18 * z2 * z));
  return Math.min(1, Math.max(0, k0 + k1 / Math.sqrt(n) + k2 / n));
}

/** Largest Durbin matrix side worth computing exactly before switching to the expansion. */
const MAX_EXACT_MATRIX = 121;

/** P(D_n ≥ d) for the two-sided one-sample Kolmogorov statistic (scipy's `kstwo.sf`). */
export function kolmogorovSf(n: number, d: number): number {
  if (!(n >= 1) || Number.isNaN(d)) return Number.NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 0.5) return 1;
  if (t <= 1) {
    // Ruben–Gambino: P(D_n < d) = n!/n^n · (2t − 1)^n for 1/(2n) < d ≤ 1/n.
    let cdf = 1;
    for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * t - 1);
    return 1 - cdf;
  }
  if (t >= n - 1) return 2 * (1 - d) ** n;
  if (d >= 0.5) return Math.min(1, 2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 4) return Math.max(0, 1 - kolmogorovCdfDurbin(n, d));
    return Math.min(1, 2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return Math.min(1, 2 * smirnovSf(n, d));
  if (2 * Math.floor(t) + 1 <= MAX_EXACT_MATRIX) return Math.max(0, 1 - kolmogorovCdfDurbin(n, d));
  return Math.max(0, 1 - kolmogorovCdfPelzGood(n, d));
}

/**
 * @module models/train/optimize
 * Numerical kernels for the linear trainers: a Cholesky solve for the normal equations and L-BFGS
 * (two-loop recursion, backtracking Armijo line search) for smooth convex objectives.
 */

/**
 * Solves `A x = b` for a symmetric positive-definite `A` (size × size, row-major), in place of a
 * copy. Returns `undefined` when `A` is not positive definite (a pivot ≤ 0).
 */
export function choleskySolve(matrix: Float64Array, rhs: Float64Array, size: number): Float64Array | undefined {
  const l = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * size + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * size + k]! * l[j * size + k]!;
      if (i === j) {
        if (!(sum > 0)) return undefined;
        l[i * size + i] = Math.sqrt(sum);
      } else {
        l[i * size + j] = sum / l[j * size + j]!;
      }
    }
  }
  const z = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * size + k]! * z[k]!;
    z[i] = sum / l[i * size + i]!;
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < size; k++) sum -= l[k * size + i]! * x[k]!;
    x[i] = sum / l[i * size + i]!;
  }
  return x;
}

/** An objective: writes the gradient at `x` into `gradient` and returns the value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** Stop when the largest gradient component is at most this. */
  gradientTolerance: number;
  /** Corrections kept; default 10. */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > max) max = v;
  }
  return max;
}

/** Minimises `objective` from `start` with limited-memory BFGS. */
export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const size = start.length;
  const memory = options.memory ?? 10;
  const x = Float64Array.from(start);
  const gradient = new Float64Array(size);

  let value = objective(x, gradient);
  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(memory);
  const trial = new Float64Array(size);
  const trialGradient = new Float64Array(size);
  let iterations = 0;
  while (iterations < options.maxIterations) {
    if (maxAbs(gradient) <= options.gradientTolerance) return { x, value, iterations, converged: true };
    iterations++;
    // Two-loop recursion: direction = -H · gradient.
    direction.set(gradient);
    for (let h = sHistory.length - 1; h >= 0; h--) {
      const a = rhoHistory[h]! * dot(sHistory[h]!, direction);
      alpha[h] = a;
      const y = yHistory[h]!;
      for (let i = 0; i < size; i++) direction[i]! -= a * y[i]!;
    }
    if (sHistory.length > 0) {
      const last = sHistory.length - 1;
      const scale = dot(sHistory[last]!, yHistory[last]!) / dot(yHistory[last]!, yHistory[last]!);
      for (let i = 0; i < size; i++) direction[i]! *= scale;
    } else {
      const norm = Math.sqrt(dot(gradient, gradient));
      for (let i = 0; i < size; i++) direction[i]! /= Math.max(norm, 1);
    }
    for (let h = 0; h < sHistory.length; h++) {
      const b = rhoHistory[h]! * dot(yHistory[h]!, direction);
      const s = sHistory[h]!;
      for (let i = 0; i < size; i++) direction[i]! += s[i]! * (alpha[h]! - b);
    }
    for (let i = 0; i < size; i++) direction[i] = -direction[i]!;
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      sHistory.length = 0;
      yHistory.length = 0;
      rhoHistory.length = 0;
      for (let i = 0; i < size; i++) direction[i] = -gradient[i]!;
      slope = dot(gradient, direction);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let trialValue = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 60; attempt++) {
      for (let i = 0; i < size; i++) trial[i] = x[i]! + step * direction[i]!;
      trialValue = objective(trial, trialGradient);
      if (trialValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(trialValue <= value)) return { x, value, iterations, converged: false };
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = trial[i]! - x[i]!;
      y[i] = trialGradient[i]! - gradient[i]!;
    }
    const sy = dot(s, y);
    x.set(trial);
    gradient.set(trialGradient);
    const previous = value;
    value = trialValue;
    if (sy > 1e-12 * dot(y, y)) {
      if (sHistory.length === memory) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rhoHistory.push(1 / sy);
    }
    if (
      previous - value <= 1e-15 * Math.max(1, Math.abs(value)) &&
      maxAbs(gradient) <= options.gradientTolerance * 10
    ) {
      return { x, value, iterations, converged: true };
    }
  }
  return { x, value, iterations, converged: maxAbs(gradient) <= options.gradientTolerance };
}

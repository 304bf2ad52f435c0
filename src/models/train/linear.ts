/**
 * @module models/train/linear
 * Linear models on standardised features, with the standardisation folded back into the
 * coefficients so the model takes raw features: least squares and ridge (normal equations, Cholesky),
 * and L2-regularised logistic regression (binary logistic, or multinomial softmax for three or more
 * classes) minimised with L-BFGS. Regularisation applies to the standardised coefficients, as in a
 * scikit-learn `StandardScaler` + estimator pipeline; intercepts are not penalised.
 */
import { invalidParameter } from "../../core/errors.js";
import { type Dataset, encodeLabels, numericTarget } from "./dataset.js";
import type { LinearModel } from "./model.js";
import { choleskySolve, minimizeLbfgs } from "./optimize.js";
import { checkBoolean, checkInteger, checkKnownOptions, checkNumber } from "./params.js";

/** Options of least squares and ridge. */
export interface RidgeOptions {
  /** L2 strength on standardised coefficients; default 1.0 for ridge (0 for `linear`). */
  alpha?: number;
  /** Fit an intercept; default true. */
  fit_intercept?: boolean;
  /** Standardise features before fitting; default true. */
  standardize?: boolean;
  /** Accepted for a uniform interface; the solution is deterministic. */
  random_state?: number;
  seed?: number;
}

/** Options of logistic regression. */
export interface LogisticOptions {
  /** Inverse L2 strength; default 1.0. */
  C?: number;
  /** L-BFGS iterations at most; default 1000. */
  max_iter?: number;
  /** Stop when the largest gradient component (of the loss averaged over rows) is below; default 1e-6. */
  tol?: number;
  fit_intercept?: boolean;
  standardize?: boolean;
  /** Accepted for a uniform interface; the solver is deterministic. */
  random_state?: number;
  seed?: number;
}

interface Standardised {
  /** Row-major n × width. */
  x: Float64Array;
  means: Float64Array;
  scales: Float64Array;
}

/** Centres and scales each feature (population standard deviation; 1 for a constant feature). */
function standardise(rows: readonly Float64Array[], width: number, enabled: boolean): Standardised {
  const n = rows.length;
  const means = new Float64Array(width);
  const scales = new Float64Array(width).fill(1);
  if (enabled) {
    for (const row of rows) for (let j = 0; j < width; j++) means[j]! += row[j]!;
    for (let j = 0; j < width; j++) means[j]! /= n;
    const variance = new Float64Array(width);
    for (const row of rows) {
      for (let j = 0; j < width; j++) variance[j]! += (row[j]! - means[j]!) ** 2;
    }
    for (let j = 0; j < width; j++) {
      const sd = Math.sqrt(variance[j]! / n);
      scales[j] = sd > 1e-12 * Math.max(1, Math.abs(means[j]!)) ? sd : 1;
    }
  }
  const x = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    for (let j = 0; j < width; j++) x[i * width + j] = (row[j]! - means[j]!) / scales[j]!;
  }
  return { x, means, scales };
}

/** Folds standardisation into raw-feature coefficients and intercepts. */
function fold(
  weights: Float64Array[],
  biases: number[],
  standard: Standardised,
): { coefficients: number[][]; intercepts: number[] } {
  const coefficients = weights.map((w) => Array.from(w, (value, j) => value / standard.scales[j]! + 0));
  const intercepts = biases.map((bias, k) => {
    let b = bias;
    const c = coefficients[k]!;
    for (let j = 0; j < c.length; j++) b -= c[j]! * standard.means[j]!;
    return b;
  });
  return { coefficients, intercepts };
}

/** Least squares (`alpha` 0) or ridge regression via the normal equations. */
export function trainRidge(data: Dataset, options: RidgeOptions = {}, algo: "ridge" | "linear" = "ridge"): LinearModel {
  checkKnownOptions(algo, options, ["alpha", "fit_intercept", "standardize", "random_state", "seed"]);
  const alpha = checkNumber("alpha", options.alpha ?? (algo === "ridge" ? 1 : 0), { min: 0 });
  const fitIntercept = checkBoolean("fit_intercept", options.fit_intercept ?? true);
  const y = numericTarget(data, algo);
  const width = data.featureNames.length;
  const n = data.rows.length;
  const standard = standardise(data.rows, width, checkBoolean("standardize", options.standardize ?? true));
  const x = standard.x;
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) yMean += y[i]!;
    yMean /= n;
  }
  // With an intercept, centre the (standardised) features so the intercept separates out.
  const columnMeans = new Float64Array(width);
  if (fitIntercept) {
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) columnMeans[j]! += x[i * width + j]!;
    for (let j = 0; j < width; j++) columnMeans[j]! /= n;
  }
  const gram = new Float64Array(width * width);
  const rhs = new Float64Array(width);
  const centred = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) centred[j] = x[i * width + j]! - columnMeans[j]!;
    const target = y[i]! - yMean;
    for (let j = 0; j < width; j++) {
      const cj = centred[j]!;
      rhs[j]! += cj * target;
      for (let k = 0; k <= j; k++) gram[j * width + k]! += cj * centred[k]!;
    }
  }
  let trace = 0;
  for (let j = 0; j < width; j++) {
    for (let k = 0; k < j; k++) gram[k * width + j] = gram[j * width + k]!;
    gram[j * width + j]! += alpha;
    trace += gram[j * width + j]!;
  }
  let solution = choleskySolve(gram, rhs, width);
  // Collinear features with alpha 0: a vanishing ridge picks one of the least-squares solutions.
  for (let jitter = 1e-12; solution === undefined && jitter < 1; jitter *= 100) {
    const damped = Float64Array.from(gram);
    for (let j = 0; j < width; j++) damped[j * width + j]! += jitter * Math.max(trace / width, 1e-300);
    solution = choleskySolve(damped, rhs, width);
  }
  if (solution === undefined) {
    throw invalidParameter(`${algo}: the features are degenerate and no solution was found; raise alpha.`);
  }
  let bias = yMean;
  for (let j = 0; j < width; j++) bias -= solution[j]! * columnMeans[j]!;
  const { coefficients, intercepts } = fold([solution], [bias], standard);
  return {
    kind: "linear",
    task: "regression",
    featureNames: [...data.featureNames],
    coefficients,
    intercepts,
    postTransform: "none",
  };
}

/** L2-regularised logistic regression: binary logistic for two classes, multinomial otherwise. */
export function trainLogisticRegression(data: Dataset, options: LogisticOptions = {}): LinearModel {
  checkKnownOptions("logreg", options, [
    "C",
    "max_iter",
    "tol",
    "fit_intercept",
    "standardize",
    "random_state",
    "seed",
  ]);
  const c = checkNumber("C", options.C ?? 1, { min: 0, exclusiveMin: true });
  const maxIterations = checkInteger("max_iter", options.max_iter ?? 1000, 1);
  const tolerance = checkNumber("tol", options.tol ?? 1e-6, { min: 0, exclusiveMin: true });
  const fitIntercept = checkBoolean("fit_intercept", options.fit_intercept ?? true);
  const { classes, y } = encodeLabels(data.target);
  if (classes.length < 2) {
    throw invalidParameter(
      `logreg needs at least two classes but target "${data.targetName}" has only ${JSON.stringify(classes[0])}.`,
    );
  }
  const width = data.featureNames.length;
  const n = data.rows.length;
  const standard = standardise(data.rows, width, checkBoolean("standardize", options.standardize ?? true));
  const x = standard.x;
  const binary = classes.length === 2;
  const outputs = binary ? 1 : classes.length;
  const stride = width + 1;
  const penalty = 1 / (c * n);
  const scores = new Float64Array(outputs);

  // Parameters: per output, `width` weights then the intercept. Loss averaged over rows.
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const offset = i * width;
      for (let k = 0; k < outputs; k++) {
        const base = k * stride;
        let z = theta[base + width]!;
        for (let j = 0; j < width; j++) z += theta[base + j]! * x[offset + j]!;
        scores[k] = z;
      }
      if (binary) {
        const z = scores[0]!;
        const t = y[i]!;
        // log(1 + e^z) − t·z, computed stably.
        loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
        scores[0] = 1 / (1 + Math.exp(-z)) - t;
      } else {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < outputs; k++) if (scores[k]! > max) max = scores[k]!;
        let total = 0;
        for (let k = 0; k < outputs; k++) total += Math.exp(scores[k]! - max);
        loss += max + Math.log(total) - scores[y[i]!]!;
        for (let k = 0; k < outputs; k++) scores[k] = Math.exp(scores[k]! - max) / total - (k === y[i] ? 1 : 0);
      }
      for (let k = 0; k < outputs; k++) {
        const residual = scores[k]!;
        if (residual === 0) continue;
        const base = k * stride;
        for (let j = 0; j < width; j++) gradient[base + j]! += residual * x[offset + j]!;
        gradient[base + width]! += residual;
      }
    }
    loss /= n;
    for (let p = 0; p < gradient.length; p++) gradient[p]! /= n;
    for (let k = 0; k < outputs; k++) {
      const base = k * stride;
      for (let j = 0; j < width; j++) {
        const w = theta[base + j]!;
        loss += 0.5 * penalty * w * w;
        gradient[base + j]! += penalty * w;
      }
      if (!fitIntercept) gradient[base + width] = 0;
    }
    return loss;
  };
  const result = minimizeLbfgs(objective, new Float64Array(outputs * stride), {
    maxIterations,
    gradientTolerance: tolerance,
  });
  const weights: Float64Array[] = [];
  const biases: number[] = [];
  for (let k = 0; k < outputs; k++) {
    weights.push(result.x.slice(k * stride, k * stride + width));
    biases.push(fitIntercept ? result.x[k * stride + width]! : 0);
  }
  const { coefficients, intercepts } = fold(weights, biases, standard);
  return {
    kind: "linear",
    task: "classification",
    featureNames: [...data.featureNames],
    classes,
    coefficients,
    intercepts,
    postTransform: binary ? "logistic" : "softmax",
  };
}

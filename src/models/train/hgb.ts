/**
 * @module models/train/hgb
 * Histogram gradient boosting: features binned into at most 255 bins, trees grown best first on
 * gradients and hessians of the loss, leaf values shrunk by the learning rate and summed.
 * Losses: squared error (regression), binary log loss (one raw score, logistic), multinomial log
 * loss (one tree per class and iteration, softmax). Early stopping on a held-out validation
 * fraction of the validation loss is on by default only above 10,000 rows, like scikit-learn.
 * Splits are exported as real thresholds (bin edges), not bin indices.
 */
import { type BinEdges, binRows, computeBinEdges } from "./binning.js";
import { type Dataset, encodeLabels, numericTarget } from "./dataset.js";
import { HistGrower, type HistTree, prepareHistData } from "./hist-tree.js";
import type { ClassLabel, ProgressCallback, Task, TreeEnsembleModel, TreeNodes } from "./model.js";
import { badParameter, checkInteger, checkKnownOptions, checkNumber, resolveMaxDepth, resolveSeed } from "./params.js";
import { Random } from "./random.js";

/** Parameters, named as in scikit-learn's HistGradientBoostingClassifier/Regressor. */
export interface HistGradientBoostingOptions {
  /** Shrinkage of every leaf value; default 0.1. */
  learning_rate?: number;
  /** Boosting iterations (trees per output); default 100. */
  max_iter?: number;
  /** Leaves per tree at most; default 31; `null` for unlimited. */
  max_leaf_nodes?: number | null;
  max_depth?: number | null;
  /** Fewest rows per leaf; default 20. */
  min_samples_leaf?: number;
  /** L2 on leaf values; default 0. */
  l2_regularization?: number;
  /** Bins per feature, 2–255; default 255. */
  max_bins?: number;
  /** "auto" (default: on above 10,000 rows), true or false. */
  early_stopping?: "auto" | boolean;
  /** Fraction held out for early stopping; default 0.1. */
  validation_fraction?: number;
  /** Iterations without improvement before stopping; default 10. */
  n_iter_no_change?: number;
  /** Smallest improvement of the validation loss that counts; default 1e-7. */
  tol?: number;
  random_state?: number;
  seed?: number;
}

const KEYS = [
  "learning_rate",
  "max_iter",
  "max_leaf_nodes",
  "max_depth",
  "min_samples_leaf",
  "l2_regularization",
  "max_bins",
  "early_stopping",
  "validation_fraction",
  "n_iter_no_change",
  "tol",
  "random_state",
  "seed",
] as const;

type Loss = "squared_error" | "log_loss_binary" | "log_loss_multinomial";

/** Splits row indices into training and validation, stratified by class when labels are given. */
function holdOut(
  n: number,
  fraction: number,
  rng: Random,
  classIndex?: Int32Array,
): { train: number[]; valid: number[] } {
  const groups: number[][] = [];
  if (classIndex) {
    for (let i = 0; i < n; i++) {
      const c = classIndex[i]!;
      const group = groups[c] ?? [];
      groups[c] = group;
      group.push(i);
    }
  } else groups.push(Array.from({ length: n }, (_, i) => i));
  const train: number[] = [];
  const valid: number[] = [];
  for (const group of groups) {
    if (!group) continue;
    rng.shuffle(group);
    const take = Math.round(group.length * fraction);
    for (let t = 0; t < group.length; t++) (t < take ? valid : train).push(group[t]!);
  }
  train.sort((a, b) => a - b);
  valid.sort((a, b) => a - b);
  return { train, valid };
}

/** Per-row gradients and hessians of the loss at the current raw scores (output-major). */
function computeGradients(
  loss: Loss,
  raw: Float64Array,
  n: number,
  outputs: number,
  target: Float64Array | Int32Array,
  g: Float64Array,
  h: Float64Array,
): void {
  if (loss === "squared_error") {
    for (let i = 0; i < n; i++) {
      g[i] = raw[i]! - target[i]!;
      h[i] = 1;
    }
  } else if (loss === "log_loss_binary") {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      g[i] = p - target[i]!;
      h[i] = p * (1 - p);
    }
  } else {
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < outputs; k++) max = Math.max(max, raw[k * n + i]!);
      let total = 0;
      for (let k = 0; k < outputs; k++) total += Math.exp(raw[k * n + i]! - max);
      for (let k = 0; k < outputs; k++) {
        const p = Math.exp(raw[k * n + i]! - max) / total;
        g[k * n + i] = p - (target[i] === k ? 1 : 0);
        h[k * n + i] = p * (1 - p);
      }
    }
  }
}

/** Mean loss at raw scores (output-major). */
function meanLoss(
  loss: Loss,
  raw: Float64Array,
  n: number,
  outputs: number,
  target: Float64Array | Int32Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (loss === "squared_error") total += 0.5 * (raw[i]! - target[i]!) ** 2;
    else if (loss === "log_loss_binary") {
      const z = raw[i]!;
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - target[i]! * z;
    } else {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < outputs; k++) max = Math.max(max, raw[k * n + i]!);
      let sum = 0;
      for (let k = 0; k < outputs; k++) sum += Math.exp(raw[k * n + i]! - max);
      total += max + Math.log(sum) - raw[target[i]! * n + i]!;
    }
  }
  return total / n;
}

/** The constant raw score(s) that minimise the loss before any tree. */
function baseline(loss: Loss, target: Float64Array | Int32Array, outputs: number): number[] {
  const n = target.length;
  if (loss === "squared_error") {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += target[i]!;
    return [sum / n];
  }
  const eps = 1e-15;
  if (loss === "log_loss_binary") {
    let positives = 0;
    for (let i = 0; i < n; i++) positives += target[i]!;
    const p = Math.min(Math.max(positives / n, eps), 1 - eps);
    return [Math.log(p / (1 - p))];
  }
  const counts = new Array<number>(outputs).fill(0);
  for (let i = 0; i < n; i++) counts[target[i]!]!++;
  const logs = counts.map((c) => Math.log(Math.min(Math.max(c / n, eps), 1 - eps)));
  const mean = logs.reduce((a, b) => a + b, 0) / outputs;
  return logs.map((value) => value - mean + 0);
}

/** Converts a grown tree to exported nodes: real thresholds, shrunk values on output `k`. */
function toNodes(tree: HistTree, edges: BinEdges, shrinkage: number, outputs: number, k: number): TreeNodes {
  const size = tree.value.length;
  const nodes: TreeNodes = { feature: [], threshold: [], left: [], right: [], values: [] };
  for (let i = 0; i < size; i++) {
    const f = tree.feature[i]!;
    nodes.feature.push(f);
    nodes.threshold.push(f >= 0 ? edges.edges[f]![tree.bin[i]!]! : 0);
    nodes.left.push(tree.left[i]!);
    nodes.right.push(tree.right[i]!);
    const value = new Array<number>(outputs).fill(0);
    value[k] = tree.value[i]! * shrinkage + 0;
    nodes.values.push(value);
  }
  return nodes;
}

/** The leaf a binned row reaches. */
function binnedLeaf(tree: HistTree, bins: Uint8Array[], row: number): number {
  let node = 0;
  while (tree.left[node]! !== -1) {
    node = bins[tree.feature[node]!]![row]! <= tree.bin[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** Checks every parameter and fills in scikit-learn's defaults. */
function resolveOptions(options: HistGradientBoostingOptions) {
  checkKnownOptions("hgb", options, KEYS);
  const learningRate = checkNumber("learning_rate", options.learning_rate ?? 0.1, { min: 0, exclusiveMin: true });
  const maxIter = checkInteger("max_iter", options.max_iter ?? 100, 1, 100_000);
  const maxLeafNodes =
    options.max_leaf_nodes === null
      ? Number.MAX_SAFE_INTEGER
      : checkInteger("max_leaf_nodes", options.max_leaf_nodes ?? 31, 2);
  const maxDepth = resolveMaxDepth(options.max_depth);
  const minSamplesLeaf = checkInteger("min_samples_leaf", options.min_samples_leaf ?? 20, 1);
  const l2 = checkNumber("l2_regularization", options.l2_regularization ?? 0, { min: 0 });
  const maxBins = checkInteger("max_bins", options.max_bins ?? 255, 2, 255);
  const earlyStoppingOption = options.early_stopping ?? "auto";
  if (earlyStoppingOption !== "auto" && typeof earlyStoppingOption !== "boolean") {
    badParameter("early_stopping", earlyStoppingOption, '"auto", true or false');
  }
  const validationFraction = checkNumber("validation_fraction", options.validation_fraction ?? 0.1, {
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
  });
  const patience = checkInteger("n_iter_no_change", options.n_iter_no_change ?? 10, 1);
  const tol = checkNumber("tol", options.tol ?? 1e-7, { min: 0 });
  return {
    learningRate,
    maxIter,
    maxLeafNodes,
    maxDepth,
    minSamplesLeaf,
    l2,
    maxBins,
    earlyStoppingOption,
    validationFraction,
    patience,
    tol,
    seed: resolveSeed(options),
  };
}

/** Trains a histogram gradient boosting model. */
export function trainHistGradientBoosting(
  data: Dataset,
  task: Task,
  options: HistGradientBoostingOptions = {},
  onProgress?: ProgressCallback,
): TreeEnsembleModel {
  const {
    learningRate,
    maxIter,
    maxLeafNodes,
    maxDepth,
    minSamplesLeaf,
    l2,
    maxBins,
    earlyStoppingOption,
    validationFraction,
    patience,
    tol,
    seed,
  } = resolveOptions(options);
  const rng = new Random(seed);

  let classes: ClassLabel[] | undefined;
  let fullTarget: Float64Array | Int32Array;
  let loss: Loss;
  let outputs = 1;
  if (task === "classification") {
    const encoded = encodeLabels(data.target);
    classes = encoded.classes;
    if (classes.length < 2) badParameter("target", classes, "a column with at least two classes");
    fullTarget = encoded.y;
    loss = classes.length === 2 ? "log_loss_binary" : "log_loss_multinomial";
    outputs = classes.length === 2 ? 1 : classes.length;
  } else {
    fullTarget = numericTarget(data, "hgb");
    loss = "squared_error";
  }

  const rows = data.rows.length;
  const earlyStopping = earlyStoppingOption === "auto" ? rows > 10_000 : earlyStoppingOption;
  let trainIndex: number[] = Array.from({ length: rows }, (_, i) => i);
  let validIndex: number[] = [];
  if (earlyStopping) {
    const split = holdOut(
      rows,
      validationFraction,
      rng,
      task === "classification" ? (fullTarget as Int32Array) : undefined,
    );
    trainIndex = split.train;
    validIndex = split.valid;
  }
  const pick = <T extends Float64Array | Int32Array>(source: T, index: number[]): T => {
    const out = new (source.constructor as { new (length: number): T })(index.length);
    for (let i = 0; i < index.length; i++) out[i] = source[index[i]!]!;
    return out;
  };
  const trainRows = trainIndex.map((i) => data.rows[i]!);
  const target = pick(fullTarget, trainIndex);
  const validTarget = pick(fullTarget, validIndex);
  const n = trainRows.length;
  const nValid = validIndex.length;

  const edges = computeBinEdges(trainRows, maxBins);
  const bins = binRows(trainRows, edges);
  const validBins = binRows(
    validIndex.map((i) => data.rows[i]!),
    edges,
  );
  const histData = prepareHistData(
    bins,
    edges.edges.map((e) => e.length),
  );
  const grower = new HistGrower(histData, n);

  const base = baseline(loss, target, outputs);
  const raw = new Float64Array(outputs * n);
  const validRaw = new Float64Array(outputs * nValid);
  for (let k = 0; k < outputs; k++) {
    raw.fill(base[k]!, k * n, (k + 1) * n);
    validRaw.fill(base[k]!, k * nValid, (k + 1) * nValid);
  }
  const g = new Float64Array(outputs * n);
  const h = new Float64Array(outputs * n);
  const samples = new Int32Array(n);
  const trees: TreeNodes[] = [];
  const scores: number[] = earlyStopping ? [-meanLoss(loss, validRaw, nValid, outputs, validTarget)] : [];
  const growOptions = { maxLeafNodes, maxDepth, minSamplesLeaf, l2 };

  for (let iteration = 0; iteration < maxIter; iteration++) {
    computeGradients(loss, raw, n, outputs, target, g, h);
    for (let k = 0; k < outputs; k++) {
      for (let i = 0; i < n; i++) samples[i] = i;
      const gk = g.subarray(k * n, (k + 1) * n);
      const hk = h.subarray(k * n, (k + 1) * n);
      const tree = grower.grow(samples, n, gk, hk, growOptions);
      for (const leaf of tree.leaves) {
        const value = tree.value[leaf.node]! * learningRate;
        for (let p = leaf.start; p < leaf.end; p++) raw[k * n + samples[p]!]! += value;
      }
      for (let i = 0; i < nValid; i++) {
        validRaw[k * nValid + i]! += tree.value[binnedLeaf(tree, validBins, i)]! * learningRate;
      }
      trees.push(toNodes(tree, edges, learningRate, outputs, k));
    }
    onProgress?.(iteration + 1, maxIter);
    if (earlyStopping) {
      scores.push(-meanLoss(loss, validRaw, nValid, outputs, validTarget));
      if (scores.length > patience) {
        const reference = scores[scores.length - patience - 1]! + tol;
        if (scores.slice(-patience).every((score) => !(score > reference))) break;
      }
    }
  }

  const model: TreeEnsembleModel = {
    kind: "tree_ensemble",
    task,
    featureNames: [...data.featureNames],
    trees,
    aggregate: "sum",
    baseValues: base,
    postTransform: loss === "squared_error" ? "none" : loss === "log_loss_binary" ? "logistic" : "softmax",
  };
  if (classes) model.classes = classes;
  return model;
}

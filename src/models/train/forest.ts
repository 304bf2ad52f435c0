/**
 * @module models/train/forest
 * Decision trees (CART) and random forests on exact feature values. A forest grows each tree on a
 * bootstrap sample (drawn as integer row weights) with `max_features` candidates per split and
 * averages the trees' leaf vectors: class probabilities, or regression values.
 */
import { type Criterion, growTree, prepareTreeData, type TreeData } from "./cart.js";
import type { Dataset } from "./dataset.js";
import { encodeLabels, numericTarget } from "./dataset.js";
import type { ProgressCallback, Task, TreeEnsembleModel, TreeNodes } from "./model.js";
import {
  checkBoolean,
  checkChoice,
  checkInteger,
  checkKnownOptions,
  resolveMaxDepth,
  resolveMaxFeatures,
  resolveMinSamplesLeaf,
  resolveMinSamplesSplit,
  resolveSeed,
} from "./params.js";
import { Random } from "./random.js";

/** Decision tree parameters, named as in scikit-learn's DecisionTreeClassifier/Regressor. */
export interface TreeOptions {
  /** "gini" (default) or "entropy" for classification; "squared_error" for regression. */
  criterion?: Criterion;
  /** Deepest level a node may sit at; `null` (default) for unlimited. */
  max_depth?: number | null;
  /** Fewest rows a node needs to be split (integer ≥ 2 or fraction); default 2. */
  min_samples_split?: number;
  /** Fewest rows in each leaf (integer ≥ 1 or fraction); default 1. */
  min_samples_leaf?: number;
  /**
   * Features tried per split: "sqrt", "log2", an integer count ≥ 2, a fraction in (0, 1] (so 1 means
   * all features, like scikit-learn's 1.0), or `null` for all. Default: all for a tree.
   */
  max_features?: "sqrt" | "log2" | number | null;
  random_state?: number;
  /** Alias of `random_state`. */
  seed?: number;
}

/** Random forest parameters: the tree's, plus the ensemble's. */
export interface ForestOptions extends TreeOptions {
  /** Number of trees; default 100. */
  n_estimators?: number;
  /** Grow each tree on a bootstrap sample; default true. */
  bootstrap?: boolean;
}

const TREE_KEYS = [
  "criterion",
  "max_depth",
  "min_samples_split",
  "min_samples_leaf",
  "max_features",
  "random_state",
  "seed",
] as const;
const FOREST_KEYS = [...TREE_KEYS, "n_estimators", "bootstrap"] as const;

interface Prepared {
  tree: TreeData;
  classes?: (string | number)[];
}

function prepare(data: Dataset, task: Task, algo: "tree" | "rf"): Prepared {
  if (task === "classification") {
    const { classes, y } = encodeLabels(data.target);
    return { tree: prepareTreeData(data.rows, { classIndex: y, classes: classes.length }), classes };
  }
  return { tree: prepareTreeData(data.rows, { values: numericTarget(data, algo) }) };
}

function resolveGrowth(options: TreeOptions, task: Task, data: Dataset, defaultMaxFeatures: unknown) {
  const width = data.featureNames.length;
  const rows = data.rows.length;
  const criterion =
    task === "classification"
      ? checkChoice("criterion", options.criterion ?? "gini", ["gini", "entropy"] as const)
      : checkChoice("criterion", options.criterion ?? "squared_error", ["squared_error"] as const);
  return {
    criterion,
    maxDepth: resolveMaxDepth(options.max_depth),
    minSamplesSplit: resolveMinSamplesSplit(options.min_samples_split ?? 2, rows),
    minSamplesLeaf: resolveMinSamplesLeaf(options.min_samples_leaf ?? 1, rows),
    maxFeatures: resolveMaxFeatures(
      options.max_features === undefined ? defaultMaxFeatures : options.max_features,
      width,
    ),
  };
}

function ensemble(data: Dataset, task: Task, prepared: Prepared, trees: TreeNodes[]): TreeEnsembleModel {
  const outputs = prepared.tree.outputs;
  const model: TreeEnsembleModel = {
    kind: "tree_ensemble",
    task,
    featureNames: [...data.featureNames],
    trees,
    aggregate: "average",
    baseValues: new Array<number>(outputs).fill(0),
    postTransform: "none",
  };
  if (prepared.classes) model.classes = prepared.classes;
  return model;
}

/** Trains one CART decision tree. */
export function trainDecisionTree(data: Dataset, task: Task, options: TreeOptions = {}): TreeEnsembleModel {
  checkKnownOptions("tree", options, TREE_KEYS);
  const growth = resolveGrowth(options, task, data, null);
  const rng = new Random(resolveSeed(options));
  const prepared = prepare(data, task, "tree");
  return ensemble(data, task, prepared, [growTree(prepared.tree, growth, rng)]);
}

/** Trains a random forest: bootstrap samples, random feature subsets, averaged trees. */
export function trainRandomForest(
  data: Dataset,
  task: Task,
  options: ForestOptions = {},
  onProgress?: ProgressCallback,
): TreeEnsembleModel {
  checkKnownOptions("rf", options, FOREST_KEYS);
  const growth = resolveGrowth(options, task, data, task === "classification" ? "sqrt" : 1);
  const estimators = checkInteger("n_estimators", options.n_estimators ?? 100, 1, 100_000);
  const bootstrap = checkBoolean("bootstrap", options.bootstrap ?? true);
  const rng = new Random(resolveSeed(options));
  const prepared = prepare(data, task, "rf");
  const n = data.rows.length;
  const trees: TreeNodes[] = [];
  const weights = new Float64Array(n);
  for (let t = 0; t < estimators; t++) {
    const treeRng = rng.fork();
    if (bootstrap) {
      weights.fill(0);
      for (let i = 0; i < n; i++) weights[treeRng.nextInt(n)]! += 1;
    } else weights.fill(1);
    trees.push(growTree(prepared.tree, growth, treeRng, weights));
    onProgress?.(t + 1, estimators);
  }
  return ensemble(data, task, prepared, trees);
}

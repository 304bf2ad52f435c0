/**
 * @module models/train
 * Built-in tabular trainers in pure TypeScript, seeded and deterministic: decision tree, random
 * forest, histogram gradient boosting, logistic regression, least squares and ridge; the JSON model
 * types they produce and the reference inference; CSV loading, metrics and cross-validation.
 */
export {
  type CrossValidateOptions,
  type CrossValidationResult,
  crossValidate,
  type Fold,
  type FoldOptions,
  foldsFromTestRows,
  kFold,
  stratifiedKFold,
} from "./cv.js";
export {
  type Dataset,
  type EncodedLabels,
  encodeLabels,
  inferTask,
  parseCsvDataset,
  type ReadCsvOptions,
  readCsvDataset,
  subset,
  uniqueSorted,
} from "./dataset.js";
export type { ForestOptions, TreeOptions } from "./forest.js";
export type { HistGradientBoostingOptions } from "./hgb.js";
export type { LogisticOptions, RidgeOptions } from "./linear.js";
export {
  accuracy,
  type ClassificationScores,
  type ConfusionMatrix,
  confusionMatrix,
  logLoss,
  meanAbsoluteError,
  precisionRecallF1,
  r2Score,
  rocAuc,
  rootMeanSquaredError,
} from "./metrics.js";
export type {
  ClassLabel,
  LinearModel,
  PostTransform,
  Prediction,
  ProgressCallback,
  Task,
  TrainedModel,
  TreeEnsembleModel,
  TreeNodes,
} from "./model.js";
export { outputCount } from "./model.js";
export { argmax, findLeaf, predict, type Rows, rawScores, scoresToProbabilities } from "./predict.js";
export { Random } from "./random.js";
export { ALGORITHMS, type Algorithm, resolveTask, type TrainHooks, type TrainOptions, train } from "./train.js";

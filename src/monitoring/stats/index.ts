/**
 * @module monitoring/stats
 * The drift statistics, each a plain function over number arrays (or category samples).
 */
export { type AndersonResult, andersonKSamp } from "./anderson.js";
export { type CategoricalInput, type Category, type CategoryCounts, countCategories } from "./categories.js";
export { type ChiSquareResult, chi2Contingency, chiSquareGoodnessOfFit, chiSquareTwoSample } from "./chi2.js";
export { type CvmResult, cramerVonMises2Samp } from "./cvm.js";
export {
  type BinnedShares,
  binShares,
  fillZeros,
  jensenShannon,
  klDivergence,
  psi,
  wassersteinDistance,
  wassersteinNormed,
} from "./distance.js";
export { type FisherResult, fisherExact, proportionsZTest } from "./fisher.js";
export { kolmogorovSf } from "./kolmogorov.js";
export { type Alternative, type KsMethod, type KsOptions, type KsResult, ks2Samp, ks2SampSorted } from "./ks.js";
export { type MannWhitneyResult, mannWhitneyU } from "./mann-whitney.js";
export { type Matrix, type MmdOptions, type MmdResult, medianHeuristicSigma, mmdDrift } from "./mmd.js";
export type { NumericInput } from "./sample.js";

/**
 * Every vector of drift_vectors.json (computed with scipy 1.17.1; reference/monitoring.md §3.10) as a
 * test, at the tolerances the reference suggests: relative 1e-9 for statistics and exact p-values,
 * 1e-7 for p-values from series (asymptotic KS and CvM).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { correctPValues } from "../../src/monitoring/correction.js";
import {
  andersonKSamp,
  binShares,
  chiSquareGoodnessOfFit,
  chiSquareTwoSample,
  cramerVonMises2Samp,
  fisherExact,
  jensenShannon,
  klDivergence,
  ks2Samp,
  mannWhitneyU,
  mmdDrift,
  proportionsZTest,
  psi,
  wassersteinDistance,
  wassersteinNormed,
} from "../../src/monitoring/stats/index.js";
import type { Alternative } from "../../src/monitoring/stats/ks.js";

interface Vector {
  test: string;
  params: Record<string, unknown>;
  x: number[] | number[][];
  y: number[] | number[][] | null;
  statistic: number | string | null;
  pvalue: number | null;
  extra?: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../fixtures/monitoring/drift_vectors.json", import.meta.url), "utf8"),
) as Vector[];

const EXACT = 1e-9;
const SERIES = 1e-7;

function expectClose(actual: number, expected: number, relative: number, label: string): void {
  const scale = Math.max(Math.abs(expected), 1e-12);
  const error = Math.abs(actual - expected) / scale;
  expect(error, `${label}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(relative);
}

function num(value: unknown): number {
  if (typeof value !== "number") throw new Error(`expected a number, got ${String(value)}`);
  return value;
}

const flat = (values: Vector["x"] | Vector["y"]): number[] => (values ?? []) as number[];
const rows = (values: Vector["x"] | Vector["y"]): number[][] =>
  (values ?? []).map((value) => (Array.isArray(value) ? value : [value]));

function check(vector: Vector): void {
  const x = flat(vector.x);
  const y = flat(vector.y);
  const params = vector.params;
  const alternative = (params.alternative ?? "two-sided") as Alternative;
  switch (vector.test) {
    case "ks_2samp": {
      const method = String(params.method);
      const result = ks2Samp(x, y, {
        alternative,
        method: method === "asymp" ? "asymp" : method === "exact" ? "exact" : "auto",
      });
      expect(result.method).toBe(method === "asymp" ? "asymp" : "exact");
      expectClose(result.statistic, num(vector.statistic), EXACT, "D");
      expectClose(result.pValue, num(vector.pvalue), result.method === "asymp" ? SERIES : EXACT, "p");
      if (vector.extra?.statistic_location !== undefined) {
        expect(result.statisticLocation).toBe(vector.extra.statistic_location);
        expect(result.statisticSign).toBe(vector.extra.statistic_sign);
      }
      return;
    }
    case "cramervonmises_2samp": {
      const result = cramerVonMises2Samp(x, y);
      expect(`auto(${result.method})`).toBe(params.method);
      expectClose(result.statistic, num(vector.statistic), EXACT, "T");
      expectClose(result.pValue, num(vector.pvalue), result.method === "exact" ? EXACT : SERIES, "p");
      return;
    }
    case "anderson_ksamp": {
      const result = andersonKSamp([x, y]);
      expectClose(result.statistic, num(vector.statistic), EXACT, "T");
      expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      return;
    }
    case "mannwhitneyu": {
      const result = mannWhitneyU(x, y, { alternative });
      expect(String(params.method)).toContain(result.method);
      expectClose(result.statistic, num(vector.statistic), EXACT, "U");
      expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      return;
    }
    case "wasserstein_distance":
      expectClose(wassersteinDistance(x, y), num(vector.statistic), EXACT, "W1");
      return;
    case "evidently_wasserstein_norm":
      expectClose(wassersteinNormed(x, y), num(vector.statistic), EXACT, "W1 normed");
      return;
    case "jensenshannon": {
      const base = params.base === "e" ? undefined : num(params.base);
      expectClose(jensenShannon(x, y, base), num(vector.statistic), EXACT, "JS");
      return;
    }
    case "psi_binned":
      expectClose(psi(x, y), num(vector.statistic), EXACT, "PSI");
      return;
    case "evidently_psi":
    case "evidently_kl_div":
    case "evidently_jensenshannon": {
      const numeric = params.feature_type === "num";
      const fill = vector.test !== "evidently_jensenshannon";
      const shares = binShares(x, y, { numeric, fill });
      if (vector.extra?.ref_percents) {
        const expectedRef = vector.extra.ref_percents as number[];
        const expectedCur = vector.extra.cur_percents as number[];
        expect(shares.reference).toHaveLength(expectedRef.length);
        for (const [i, share] of shares.reference.entries())
          expectClose(share, expectedRef[i]!, EXACT, `ref share ${i}`);
        for (const [i, share] of shares.current.entries()) expectClose(share, expectedCur[i]!, EXACT, `cur share ${i}`);
      }
      const value =
        vector.test === "evidently_psi"
          ? psi(shares.reference, shares.current)
          : vector.test === "evidently_kl_div"
            ? klDivergence(shares.reference, shares.current)
            : jensenShannon(shares.reference, shares.current);
      expectClose(value, num(vector.statistic), EXACT, vector.test);
      return;
    }
    case "chi2_contingency": {
      const result = chiSquareTwoSample(x, y, { correction: params.correction === true });
      expect(result.table).toEqual(vector.extra?.table);
      expect(result.dof).toBe(vector.extra?.dof);
      expectClose(result.statistic, num(vector.statistic), EXACT, "χ²");
      expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      return;
    }
    case "evidently_chisquare": {
      const result = chiSquareGoodnessOfFit(x, y);
      if (vector.statistic === "inf") {
        expect(result.statistic).toBe(Number.POSITIVE_INFINITY);
        expect(result.pValue).toBe(0);
      } else {
        expectClose(result.statistic, num(vector.statistic), EXACT, "χ²");
        expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      }
      return;
    }
    case "evidently_z_proportions": {
      const result = proportionsZTest(x, y);
      expectClose(result.statistic, num(vector.statistic), EXACT, "z");
      expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      return;
    }
    case "fisher_exact": {
      const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
      const table: [[number, number], [number, number]] = [
        [sum(y), sum(x)],
        [y.length - sum(y), x.length - sum(x)],
      ];
      expect(table).toEqual(vector.extra?.table);
      const result = fisherExact(table, { alternative });
      expectClose(result.statistic, num(vector.statistic), EXACT, "odds ratio");
      expectClose(result.pValue, num(vector.pvalue), EXACT, "p");
      return;
    }
    case "alibi_mmd2_rbf": {
      const result = mmdDrift(rows(vector.x), rows(vector.y), { permutations: 0 });
      expectClose(result.sigma, num(vector.extra?.sigma), EXACT, "σ");
      expectClose(result.statistic, num(vector.statistic), EXACT, "MMD²");
      return;
    }
    case "alibi_fdr": {
      const q = num(params.q_val);
      const fdr = correctPValues(x, q, "fdr");
      expect(fdr.drift ? 1 : 0).toBe(vector.extra?.is_drift);
      const expected = vector.extra?.threshold;
      if (Array.isArray(expected)) {
        for (const [i, value] of fdr.candidates!.entries())
          expectClose(value, expected[i] as number, EXACT, `candidate ${i}`);
        expectClose(fdr.threshold, expected[0] as number, EXACT, "threshold");
      } else {
        expectClose(fdr.threshold, num(expected), EXACT, "threshold");
      }
      const bonferroni = correctPValues(x, q, "bonferroni");
      expectClose(bonferroni.threshold, num(vector.extra?.bonferroni_threshold), EXACT, "bonferroni threshold");
      expect(bonferroni.drift ? 1 : 0).toBe(vector.extra?.bonferroni_is_drift);
      return;
    }
    default:
      throw new Error(`no check for vector type ${vector.test}`);
  }
}

describe("drift vectors (scipy 1.17.1)", () => {
  it("has all 88 vectors", () => {
    expect(vectors).toHaveLength(88);
  });
  vectors.forEach((vector, index) => {
    const size = `${Array.isArray(vector.x) ? vector.x.length : 0}/${Array.isArray(vector.y) ? vector.y.length : 0}`;
    it(`#${index} ${vector.test} ${JSON.stringify(vector.params.alternative ?? vector.params.method ?? "")} ${size}`, () =>
      check(vector));
  });
});

/**
 * Edge cases of the drift statistics beyond the scipy vectors: empty samples, NaN, constant
 * samples, ties, the large-n Kolmogorov paths, the radix sort, and reproducible MMD permutations.
 */
import { describe, expect, it } from "vitest";
import { isLatheError, type LatheError } from "../../src/core/errors.js";
import { correctPValues } from "../../src/monitoring/correction.js";
import {
  andersonKSamp,
  binShares,
  chi2Contingency,
  chiSquareTwoSample,
  cramerVonMises2Samp,
  fisherExact,
  ks2Samp,
  mannWhitneyU,
  mmdDrift,
  proportionsZTest,
  wassersteinDistance,
  wassersteinNormed,
} from "../../src/monitoring/stats/index.js";
import {
  kolmogorovCdfDurbin,
  kolmogorovCdfPelzGood,
  kolmogorovSf,
  smirnovSf,
} from "../../src/monitoring/stats/kolmogorov.js";
import { sortNumbers } from "../../src/monitoring/stats/radix-sort.js";
import { seededRandom } from "../../src/monitoring/stats/random.js";

function thrown(work: () => unknown): LatheError {
  try {
    work();
  } catch (error) {
    if (isLatheError(error)) return error;
    throw error;
  }
  throw new Error("expected a LatheError");
}

const sample = (count: number, seed: number, shift = 0) => {
  const random = seededRandom(seed);
  return Float64Array.from({ length: count }, () => random() + shift);
};

describe("empty and missing input", () => {
  it("rejects an empty sample with a LatheError that says what to do", () => {
    for (const run of [
      () => ks2Samp([], [1, 2]),
      () => cramerVonMises2Samp([1, 2], []),
      () => mannWhitneyU([Number.NaN], [1]),
      () => wassersteinDistance([], [1]),
      () => chiSquareTwoSample([null, ""], ["a"]),
      () => andersonKSamp([[1, 2, 3], []]),
    ]) {
      const error = thrown(run);
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toMatch(/has no values to compare/);
      expect(error.message).toMatch(/--columns/);
    }
  });

  it("drops NaN before testing", () => {
    const x = [0.1, 0.5, Number.NaN, 0.9, 1.3];
    const y = [0.2, Number.NaN, 0.4, 2.5];
    const clean = ks2Samp([0.1, 0.5, 0.9, 1.3], [0.2, 0.4, 2.5]);
    expect(ks2Samp(x, y)).toEqual(clean);
    expect(mannWhitneyU(x, y)).toEqual(mannWhitneyU([0.1, 0.5, 0.9, 1.3], [0.2, 0.4, 2.5]));
  });

  it("drops missing categories", () => {
    const result = chiSquareTwoSample(["a", null, "b", ""], ["a", "b", undefined]);
    expect(result.categories).toEqual(["a", "b"]);
    expect(result.table).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });
});

describe("constant samples and ties", () => {
  it("finds no drift between identical constants", () => {
    const same = [3, 3, 3, 3, 3];
    expect(ks2Samp(same, same)).toMatchObject({ statistic: 0, pValue: 1 });
    expect(ks2Samp(same, same, { method: "asymp" }).pValue).toBe(1);
    expect(mannWhitneyU(same, same).pValue).toBe(1);
    expect(chiSquareTwoSample(["a", "a"], ["a"])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
    expect(wassersteinDistance(same, same)).toBe(0);
    expect(proportionsZTest(["x", "x"], ["x"])).toEqual({ statistic: 0, pValue: 1 });
  });

  it("normalises Wasserstein by 0.001 when the reference is constant", () => {
    expect(wassersteinNormed([2, 2, 2], [2, 2, 3])).toBeCloseTo(1 / 3 / 0.001, 9);
  });

  it("separates two different constants completely", () => {
    const result = ks2Samp([1, 1, 1, 1], [2, 2, 2, 2]);
    expect(result.statistic).toBe(1);
    expect(result.pValue).toBeCloseTo(2 / 70, 12);
  });

  it("uses the asymptotic Mann–Whitney with ties, exact without", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).method).toBe("exact");
    expect(mannWhitneyU([1, 2, 2], [2, 5, 6]).method).toBe("asymptotic");
    // Exact, complete separation of 3 vs 3: 2 / C(6, 3).
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).pValue).toBeCloseTo(0.1, 12);
  });

  it("gives CvM an exact p of 1 when the samples interleave perfectly", () => {
    expect(cramerVonMises2Samp([1, 3, 5], [2, 4, 6]).pValue).toBeGreaterThan(0.9);
  });
});

describe("exact distributions", () => {
  it("refuses exact CvM and Mann–Whitney beyond their limits and says what to use", () => {
    expect(thrown(() => cramerVonMises2Samp(sample(100, 1), sample(100, 2), { method: "exact" })).message).toMatch(
      /use method "asymptotic"/,
    );
    expect(thrown(() => mannWhitneyU(sample(5000, 1), sample(5000, 2), { method: "exact" })).message).toMatch(
      /use method "asymptotic"/,
    );
  });

  it("keeps auto Mann–Whitney exact for a small sample against a large one", () => {
    const result = mannWhitneyU(sample(6, 1), sample(3000, 2, 0.3));
    expect(result.method).toBe("exact");
    expect(result.pValue).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(0.2);
  });
});

describe("Kolmogorov distribution", () => {
  it("agrees between Durbin's matrix and the Pelz–Good expansion at moderate n", () => {
    for (const [n, d] of [
      [1000, 0.03],
      [3000, 0.02],
      [20_000, 0.004],
    ] as const) {
      const exact = 1 - kolmogorovCdfDurbin(n, d);
      const expansion = 1 - kolmogorovCdfPelzGood(n, d);
      expect(Math.abs(exact - expansion) / exact).toBeLessThan(2e-5);
    }
  });

  it("uses 2·P(D⁺ ≥ d) for d ≥ 0.5 and behaves at the ends", () => {
    expect(kolmogorovSf(10, 0.6)).toBeCloseTo(2 * smirnovSf(10, 0.6), 15);
    expect(kolmogorovSf(10, 0)).toBe(1);
    expect(kolmogorovSf(10, 1)).toBe(0);
    expect(kolmogorovSf(10, 0.04)).toBe(1);
    expect(kolmogorovSf(100_000, 0.01)).toBeLessThan(1e-6);
  });

  it("decreases in d", () => {
    let previous = 1;
    for (let d = 0.001; d < 0.05; d += 0.001) {
      const p = kolmogorovSf(50_000, d);
      expect(p).toBeLessThanOrEqual(previous + 1e-12);
      previous = p;
    }
  });

  it("switches KS to asymptotic above 10,000 values under auto", () => {
    const result = ks2Samp(sample(12_000, 1), sample(500, 2, 0.05));
    expect(result.method).toBe("asymp");
    expect(result.pValue).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(1);
  });
});

describe("radix sort", () => {
  it("sorts like Float64Array.prototype.sort and drops NaN", () => {
    const random = seededRandom(7);
    const values = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 13 === 0 ? Number.NaN : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6),
    );
    values[1] = Number.NEGATIVE_INFINITY;
    values[2] = Number.POSITIVE_INFINITY;
    values[3] = -0;
    values[4] = 0;
    const expected = Float64Array.from(values.filter((value) => !Number.isNaN(value))).sort();
    expect(Array.from(sortNumbers(values))).toEqual(Array.from(expected));
  });
});

describe("Evidently binning", () => {
  it("gives every value its own bin when the reference has at most 20 distinct values", () => {
    const shares = binShares([1, 1, 2, 3], [2, 3, 3, 4], { numeric: true, fill: false });
    expect(shares.categories).toEqual([1, 2, 3, 4]);
    expect(shares.reference).toEqual([0.5, 0.25, 0.25, 0]);
    expect(shares.current).toEqual([0, 0.25, 0.5, 0.25]);
    const filled = binShares([1, 1, 2, 3], [2, 3, 3, 4], { numeric: true, fill: true });
    expect(filled.reference[3]).toBe(0.0001);
    expect(filled.current[0]).toBe(0.0001);
  });

  it("cuts a reference with more than 20 distinct values into sturges bins over both samples", () => {
    const reference = Array.from({ length: 40 }, (_, i) => i);
    const shares = binShares(reference, [50, 60], { numeric: true, fill: false });
    // 42 pooled values: ⌈log2(42) + 1⌉ = 7 equal bins from 0 to 60.
    expect(shares.edges).toHaveLength(8);
    expect(shares.edges![0]).toBe(0);
    expect(shares.edges![7]).toBe(60);
    expect(shares.current).toEqual([0, 0, 0, 0, 0, 0.5, 0.5]);
  });
});

describe("Fisher exact and z-test", () => {
  it("returns p = 1 for a table with an empty margin", () => {
    expect(
      fisherExact([
        [0, 0],
        [3, 4],
      ]).pValue,
    ).toBe(1);
  });

  it("rejects a table that is not counts", () => {
    expect(
      thrown(() =>
        fisherExact([
          [1.5, 2],
          [3, 4],
        ]),
      ).message,
    ).toMatch(/whole counts/);
  });

  it("reports an infinite odds ratio when b·c = 0", () => {
    expect(
      fisherExact(
        [
          [5, 0],
          [0, 5],
        ],
        { alternative: "greater" },
      ).statistic,
    ).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("χ² contingency", () => {
  it("rejects a category with no observations in either sample", () => {
    expect(
      thrown(() =>
        chi2Contingency([
          [1, 0],
          [2, 0],
        ]),
      ).message,
    ).toMatch(/drop empty categories/);
  });
});

describe("MMD", () => {
  const rows = (count: number, seed: number, shift: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: count }, () => [random() + shift, random()]);
  };

  it("is reproducible with a seed and detects a shift", () => {
    const x = rows(60, 1, 0);
    const y = rows(60, 2, 0.5);
    const first = mmdDrift(x, y, { seed: 3 });
    expect(mmdDrift(x, y, { seed: 3 })).toEqual(first);
    expect(first.pValue).toBeLessThan(0.05);
    expect(first.statistic).toBeGreaterThan(first.distanceThreshold);
    const same = mmdDrift(x, rows(60, 4, 0), { seed: 3 });
    expect(same.pValue).toBeGreaterThan(0.05);
  });

  it("explains bad input", () => {
    expect(thrown(() => mmdDrift([[1, 2]], [[1, 2]])).message).toMatch(/at least 2 rows/);
    expect(
      thrown(() =>
        mmdDrift(
          [
            [1, 2],
            [3, 4],
          ],
          [[1], [2]],
        ),
      ).message,
    ).toMatch(/same columns/);
    expect(
      thrown(() =>
        mmdDrift(
          [
            [1, 1],
            [1, 1],
          ],
          [
            [1, 2],
            [2, 3],
          ],
        ),
      ).message,
    ).toMatch(/pass a sigma/);
    expect(
      thrown(() =>
        mmdDrift(
          [
            [1, Number.NaN],
            [1, 2],
          ],
          [
            [1, 2],
            [2, 3],
          ],
        ),
      ).message,
    ).toMatch(/non-finite/);
  });
});

describe("multiple-testing correction", () => {
  it("Bonferroni divides the level by the number of features", () => {
    expect(correctPValues([0.01, 0.2], 0.05, "bonferroni")).toEqual({ drift: true, threshold: 0.025 });
  });

  it("FDR takes the largest passing step and returns a scalar when none passes", () => {
    expect(correctPValues([0.001, 0.012, 0.5], 0.05, "fdr").threshold).toBeCloseTo(0.05 * (2 / 3), 15);
    const none = correctPValues([0.3, 0.6], 0.05, "fdr");
    expect(none.drift).toBe(false);
    expect(none.threshold).toBe(0.025);
    expect(none.candidates).toEqual([0.025, 0.05]);
  });

  it("rejects a level outside (0, 1]", () => {
    expect(thrown(() => correctPValues([0.1], 0, "fdr")).message).toMatch(/significance level/);
  });
});

import { describe, expect, it } from "vitest";
import { decodeSeries, encodePoints } from "./metric-chunks.js";

const point = (step: number, timestamp: number, value: number) => ({ key: "m", step, timestamp, value });

describe("decodeSeries", () => {
  it("keeps a series logged in order as it is, one point per distinct (step, timestamp, value)", () => {
    const chunk = encodePoints([point(0, 10, 1), point(1, 11, 0.5), point(2, 12, 0.25)]);
    expect(decodeSeries([chunk])).toEqual([
      { step: 0, timestamp: 10, value: 1 },
      { step: 1, timestamp: 11, value: 0.5 },
      { step: 2, timestamp: 12, value: 0.25 },
    ]);
  });

  it("merges chunks into timestamp, step, value order and drops exact duplicates, NaN included", () => {
    const first = encodePoints([point(2, 20, 3), point(1, 10, 2), point(1, 10, Number.NaN)]);
    // A retry writes the same points again; a different value at the same step and time is kept.
    const retry = encodePoints([point(1, 10, 2), point(1, 10, Number.NaN), point(1, 10, -1), point(0, 20, 5)]);
    expect(decodeSeries([first, retry])).toEqual([
      { step: 1, timestamp: 10, value: -1 },
      { step: 1, timestamp: 10, value: 2 },
      { step: 1, timestamp: 10, value: Number.NaN },
      { step: 0, timestamp: 20, value: 5 },
      { step: 2, timestamp: 20, value: 3 },
    ]);
  });

  it("treats a repeated point at the end of an ordered series as a duplicate", () => {
    const chunk = encodePoints([point(0, 1, 0), point(0, 1, 0), point(1, 2, Number.NaN), point(1, 2, Number.NaN)]);
    expect(decodeSeries([chunk])).toEqual([
      { step: 0, timestamp: 1, value: 0 },
      { step: 1, timestamp: 2, value: Number.NaN },
    ]);
  });
});

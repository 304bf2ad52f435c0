/**
 * Robustness tests for the search parser: arbitrary input only ever raises LatheError, positions stay
 * inside the input, and huge or adversarial filters parse in linear time.
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../../core/errors.js";
import type { SearchEntity } from "./ast.js";
import { parseFilter, parseOrderBy } from "./index.js";

const ENTITIES: readonly SearchEntity[] = ["runs", "experiments", "registered_models", "model_versions"];

/** A small deterministic generator so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = [
  "metrics",
  "params",
  "tags",
  "attributes",
  "datasets",
  "run_id",
  "start_time",
  "name",
  "created",
  ".",
  ".a",
  "`",
  '"',
  "'",
  "\\",
  "(",
  ")",
  ",",
  " ",
  "\t",
  "=",
  "!=",
  ">",
  "<=",
  "LIKE",
  "ilike",
  "IN",
  "NOT",
  "AND",
  "OR",
  "ASC",
  "desc",
  "1",
  "-2.5",
  "1e",
  "é",
  "\u2028",
  "\uD83D",
  ";",
];

function garbage(next: () => number): string {
  let text = "";
  const length = Math.floor(next() * 14);
  for (let i = 0; i < length; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

/** Runs `parse`; passes if it returns, or throws a LatheError whose positions lie inside `text`. */
function expectOnlyLatheErrors(parse: () => unknown, text: string): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof LatheError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    for (const match of error.message.matchAll(/at position (\d+)/g)) {
      expect(Number(match[1])).toBeLessThanOrEqual(text.length);
    }
  }
}

describe("search parser robustness", () => {
  it("throws nothing but LatheError for random filters and order_by clauses", () => {
    const next = random(20_261_123);
    for (let i = 0; i < 5000; i++) {
      const text = garbage(next);
      const entity = ENTITIES[i % ENTITIES.length]!;
      expectOnlyLatheErrors(() => parseFilter(text, entity), text);
      expectOnlyLatheErrors(() => parseOrderBy([text], entity), text);
    }
  });

  it("throws nothing but LatheError for every prefix of a valid filter", () => {
    const filter =
      "metrics.`a b` >= -1.5e3 and tags.\"x\" LIKE 'it''s' AND run_id NOT IN ('a', \"b\",) and datasets.name = 'd'";
    for (let end = 0; end <= filter.length; end++) {
      const text = filter.slice(0, end);
      expectOnlyLatheErrors(() => parseFilter(text, "runs"), text);
    }
    expect(parseFilter(filter, "runs")).toHaveLength(4);
  });

  it("parses a filter of 50,000 comparisons quickly", () => {
    const filter = Array.from({ length: 50_000 }, (_, i) => `metrics.m${i} > ${i}`).join(" AND ");
    const started = performance.now();
    const parsed = parseFilter(filter, "runs");
    expect(performance.now() - started).toBeLessThan(5000);
    expect(parsed).toHaveLength(50_000);
    expect(parsed[49_999]).toEqual({ type: "metric", key: "m49999", operator: ">", value: 49_999 });
  });

  it.each([
    ["a long quoted value", `params.p = '${"x".repeat(1_000_000)}'`],
    ["many doubled quotes", `params.p = '${"''".repeat(500_000)}'`],
    ["many escapes", `params.p = '${"\\'".repeat(500_000)}'`],
    ["an unterminated quote", `params.p = '${"\\".repeat(1_000_001)}`],
    ["a long key", `metrics.${"a.".repeat(500_000)}b > 1`],
    ["a long number", `metrics.m > ${"9".repeat(1_000_000)}`],
    ["a huge IN list", `run_id IN (${Array.from({ length: 100_000 }, (_, i) => `'r${i}'`).join(", ")})`],
    ["nested parentheses", `${"(".repeat(1_000_000)}metrics.m > 1`],
    ["a long run of operators", `metrics.m ${">".repeat(1_000_000)} 1`],
    ["whitespace only", " ".repeat(1_000_000)],
  ])("handles %s in linear time with short messages", (_label, filter) => {
    const started = performance.now();
    expectOnlyLatheErrors(() => parseFilter(filter, "runs"), filter);
    expect(performance.now() - started).toBeLessThan(5000);
    try {
      parseFilter(filter, "runs");
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(600);
    }
  });

  it("handles a huge order_by clause in linear time", () => {
    const clause = `metrics.\`${"k".repeat(1_000_000)}\` DESC`;
    const started = performance.now();
    expect(parseOrderBy([clause], "runs")[0]?.ascending).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

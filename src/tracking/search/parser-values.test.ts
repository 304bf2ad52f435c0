/**
 * Tests for the search filter parser: numbers, strings and lists, type mismatches, the structure
 * MLflow refuses (OR, parentheses, trailing text), and the experiment and registry entities.
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../../core/errors.js";
import type { SearchEntity } from "./ast.js";
import { parseFilter } from "./index.js";
import { filterError, one } from "./test-helpers.js";

describe("parseFilter: values", () => {
  it.each([
    ["0", 0],
    ["42", 42],
    ["-7", -7],
    ["+3", 3],
    ["3.25", 3.25],
    [".5", 0.5],
    ["5.", 5],
    ["-0.5", -0.5],
    ["-.5", -0.5],
    ["1e3", 1000],
    ["1E-3", 0.001],
    ["-2.5e+2", -250],
    ["1700000000000", 1700000000000],
  ])("reads the number %s", (text, value) => {
    expect(one(`metrics.m = ${text}`).value).toBe(value);
  });

  it.each([["1abc"], ["1.2.3"], ["-"], ["."], ["1e"], ["0x10"], ["--1"]])("rejects the number %s", (text) => {
    expect(filterError(`metrics.m = ${text}`).message).toMatch(
      /^Invalid numeric value .*\(at position 12: expected a number/,
    );
  });

  it.each([
    ["'plain'", "plain"],
    ['"double"', "double"],
    ["''", ""],
    ["'it''s'", "it's"],
    ["'it\\'s'", "it's"],
    ['"say ""hi"""', 'say "hi"'],
    ['"a\\"b"', 'a"b'],
    ["'back\\\\slash'", "back\\slash"],
    ["'a\\_b%'", "a\\_b%"],
    ["'a \"mixed\" one'", 'a "mixed" one'],
    ["'ünïcødé ✓'", "ünïcødé ✓"],
    ["'with AND inside'", "with AND inside"],
  ])("reads the string %s", (text, value) => {
    expect(one(`params.p = ${text}`).value).toBe(value);
  });

  it("reads lists with either quote, spacing and a trailing comma", () => {
    expect(one(`run_id IN ( 'a' ,"b",'c''d', )`).value).toEqual(["a", "b", "c'd"]);
    expect(one("datasets.context IN ('train')").value).toEqual(["train"]);
  });

  it.each([
    ["run_id IN ()", "expected a non-empty list of string values, but got empty list", 11],
    ["run_id IN (1, 2)", "expected string value, punctuation, or whitespace, but got '1'", 11],
    ["run_id IN ('a' 'b')", "but got ill-formed list", 15],
    ["run_id IN ('a',,)", "but got '", 15],
    ["run_id IN ('a'", "but got ill-formed list", 14],
    ["run_id IN (", "but got 'end of input'", 11],
  ])("rejects the list in %s", (filter, message, position) => {
    const error = filterError(filter);
    expect(error.message).toMatch(/^While parsing a list in the query, /);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`(at position ${position}: expected `);
  });

  it("reports an unterminated string at the end, naming where it opened", () => {
    expect(filterError("params.p = 'abc").message).toBe(
      "Unterminated quoted text 'abc (at position 15: expected a closing ' for the ' at position 11)",
    );
    expect(filterError('tags."open = 1').message).toContain(
      '(at position 14: expected a closing " for the " at position 5)',
    );
    expect(filterError("params.p = 'a\\'").message).toContain("at position 15");
  });
});

describe("parseFilter: type mismatches", () => {
  it.each([
    ["metrics.m = 'x'", "Expected numeric value type for metric. Found 'x'", 12, "a number"],
    ['metrics.m = "1"', 'Expected numeric value type for metric. Found "1"', 12, "a number"],
    ["metrics.m > abc", "Expected numeric value type for metric. Found abc", 12, "a number"],
    ["metrics.m IN ('a')", "Expected numeric value type for metric. Found ('a')", 13, "a number"],
    ["start_time > '5'", "Expected numeric value type for numeric attribute: start_time. Found '5'", 13, "a number"],
    ["created > 'x'", "Expected numeric value type for numeric attribute: created. Found 'x'", 10, "a number"],
    ["params.p = 5", "Expected a quoted string value for param (e.g. 'my-value'). Got value 5", 11, "a quoted string"],
    [
      "tags.t != -1.5",
      "Expected a quoted string value for tag (e.g. 'my-value'). Got value -1.5",
      10,
      "a quoted string",
    ],
    ["status = 5", "Expected a quoted string value for attributes. Got value 5", 9, "a quoted string"],
    ["datasets.name = 5", "Expected a quoted string value for dataset attributes. Got value 5", 16, "a quoted string"],
    [
      "status IN ('a')",
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      10,
      "a",
    ],
    [
      "params.p = abc",
      "Parameter value is either not quoted or unidentified quote types used for string value abc.",
      11,
      "a",
    ],
    [
      "tags.t = `x`",
      "Parameter value is either not quoted or unidentified quote types used for string value `x`.",
      9,
      "a",
    ],
    ["run_id IN 'a'", "Operator 'IN' requires a list of quoted strings. Got value 'a'", 10, "a parenthesised list"],
    ["run_id = ('a')", "Operator '=' compares with a single value. Got value ('a')", 9, "a quoted string"],
  ])("rejects %s", (filter, message, position, expected) => {
    const error = filterError(filter);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain(`(at position ${position}: expected ${expected}`);
  });
});

describe("parseFilter: structure MLflow refuses", () => {
  it.each([
    ["metrics.a > 1 OR metrics.b < 2", "'OR'", 14, "AND or the end of the filter"],
    ["metrics.a > 1 or metrics.b < 2", "'or'", 14, "AND or the end of the filter"],
    ["(metrics.a > 1)", "'('", 0, "an identifier"],
    ["metrics.a > 1 AND (metrics.b < 2)", "'('", 18, "an identifier"],
    ["NOT metrics.a > 1", "'NOT'", 0, "an identifier"],
    ["AND metrics.a > 1", "'AND'", 0, "an identifier"],
    ["metrics.a > 1 AND AND metrics.b > 1", "'AND'", 18, "an identifier"],
    ["metrics.a > 1 AND", "'AND'", 17, "a comparison after AND"],
    ["metrics.a > 1 and   ", "'and'", 20, "a comparison after AND"],
    ["metrics.a > 1; DROP TABLE runs", "';'", 13, "AND or the end of the filter"],
    ["metrics.a > 1 2", "'2'", 14, "AND or the end of the filter"],
    ["params.p = 'x' 'y'", "'''", 15, "AND or the end of the filter"],
    ["metrics.a > 1 )", "')'", 14, "AND or the end of the filter"],
    ["metrics.a > 1 -- comment", "'--'", 14, "AND or the end of the filter"],
    ["metrics.a > 1 ANDmetrics.b > 1", "'ANDmetrics.b'", 14, "AND or the end of the filter"],
    ["metrics.a", "'metrics.a'", 9, "a comparison operator"],
    ["metrics.a 1", "'metrics.a'", 10, "a comparison operator"],
    ["metrics.a >", "'metrics.a >'", 11, "a number"],
    ["params.p = ", "'params.p ='", 11, "a quoted string"],
    ["run_id IN", "'run_id IN'", 9, "a parenthesised list"],
  ])("rejects %s", (filter, clause, position, expected) => {
    const error = filterError(filter);
    expect(error.message).toContain(`Invalid clause(s) in filter string: ${clause}`);
    expect(error.message).toContain(`(at position ${position}: expected ${expected}`);
  });
});

describe("parseFilter: other entities", () => {
  it("experiments: name, creation_time, last_update_time and tags", () => {
    expect(
      parseFilter(
        "name ILIKE '%exp%' and attribute.creation_time >= 1 and last_update_time < 2 and tags.`a b` != 'x'",
        "experiments",
      ),
    ).toEqual([
      { type: "attribute", key: "name", operator: "ILIKE", value: "%exp%" },
      { type: "attribute", key: "creation_time", operator: ">=", value: 1 },
      { type: "attribute", key: "last_update_time", operator: "<", value: 2 },
      { type: "tag", key: "a b", operator: "!=", value: "x" },
    ]);
    expect(filterError("name > 'x'", "experiments").message).toMatch(/^Invalid comparator '>'/);
    expect(filterError("creation_time = 'x'", "experiments").message).toMatch(/^Expected numeric value type/);
  });

  it("registered models: name and tags", () => {
    expect(parseFilter("name = 'iris' AND tags.task LIKE 'class%'", "registered_models")).toHaveLength(2);
    expect(filterError("creation_timestamp > 1", "registered_models").message).toMatch(
      /^Invalid attribute key 'creation_timestamp' specified. Valid keys are '\{'name'\}'/,
    );
  });

  it("model versions: name, source_path, run_id (with IN) and version_number", () => {
    expect(
      parseFilter(
        "name = 'iris' and source_path LIKE 'runs:/%' and run_id IN ('ABC') and version_number >= 2 and tags.t = 'x'",
        "model_versions",
      ),
    ).toEqual([
      { type: "attribute", key: "name", operator: "=", value: "iris" },
      { type: "attribute", key: "source_path", operator: "LIKE", value: "runs:/%" },
      { type: "attribute", key: "run_id", operator: "IN", value: ["abc"] },
      { type: "attribute", key: "version_number", operator: ">=", value: 2 },
      { type: "tag", key: "t", operator: "=", value: "x" },
    ]);
    expect(filterError("version_number = '2'", "model_versions").message).toMatch(/^Expected numeric value type/);
    expect(filterError("name IN ('a')", "model_versions").message).toMatch(/^Only the 'run_id' attribute/);
  });

  it.each(["experiments", "registered_models", "model_versions"] as const)(
    "%s refuse metrics, params and datasets",
    (entity) => {
      for (const filter of ["metrics.m > 1", "params.p = 'x'", "datasets.name = 'x'", "run.name = 'x'"]) {
        expect(filterError(filter, entity).message).toMatch(
          /^Invalid entity type '\w+'\. Valid entity types are \('attribute', 'tag', 'tags'\) \(at position 0: /,
        );
      }
    },
  );

  it("rejects an unknown entity and a filter that is not a string with a LatheError", () => {
    expect(() => parseFilter("name = 'x'", "bogus" as SearchEntity)).toThrow(LatheError);
    expect(() => parseFilter(42 as unknown as string, "runs")).toThrow(LatheError);
  });
});

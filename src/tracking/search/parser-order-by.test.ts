/**
 * Tests for the order_by parser: identifier forms, directions, the orderable fields of each entity,
 * duplicate fields, and the clause index and position each error names.
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../../core/errors.js";
import type { SearchEntity } from "./ast.js";
import { parseOrderBy } from "./index.js";

function orderByError(clauses: readonly string[], entity: SearchEntity = "runs"): LatheError {
  try {
    parseOrderBy(clauses, entity);
  } catch (error) {
    if (error instanceof LatheError) {
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(clauses)} to be rejected`);
}

const single = (clause: string, entity: SearchEntity = "runs") => parseOrderBy([clause], entity)[0];

describe("parseOrderBy: runs", () => {
  it("returns nothing for no clauses", () => {
    expect(parseOrderBy(undefined, "runs")).toEqual([]);
    expect(parseOrderBy([], "runs")).toEqual([]);
    expect(parseOrderBy(null as unknown as string[], "runs")).toEqual([]);
  });

  it("parses the recorded clause and keeps clause order", () => {
    expect(parseOrderBy(["metrics.accuracy DESC", "params.p", "tags.t asc"], "runs")).toEqual([
      { type: "metric", key: "accuracy", ascending: false },
      { type: "param", key: "p", ascending: true },
      { type: "tag", key: "t", ascending: true },
    ]);
  });

  it.each([
    ["start_time", true],
    ["start_time ASC", true],
    ["start_time asc", true],
    ["start_time DESC", false],
    ["start_time desc", false],
    ["start_time Desc", false],
    ["  start_time \t DESC  ", false],
  ])("reads the direction of %j", (clause, ascending) => {
    expect(single(clause)).toEqual({ type: "attribute", key: "start_time", ascending });
  });

  it.each([
    ["run_id", "run_id"],
    ["run_name", "run_name"],
    ["status", "status"],
    ["user_id", "user_id"],
    ["artifact_uri", "artifact_uri"],
    ["end_time", "end_time"],
    ["attributes.start_time", "start_time"],
    ["attr.status", "status"],
    ["run.end_time", "end_time"],
    ["created", "start_time"],
    ["Created", "start_time"],
    ["`Run Name`", "run_name"],
    ['"run name"', "run_name"],
    ["attribute.`Run name`", "run_name"],
  ])("orders by the attribute %s as %s", (clause, key) => {
    expect(single(`${clause} DESC`)).toEqual({ type: "attribute", key, ascending: false });
  });

  it.each([
    ["metrics.`a b` DESC", "metric", "a b"],
    ["`metrics`.`a b`", "metric", "a b"],
    ['tags."user-name" asc', "tag", "user-name"],
    ["params.`model class`", "param", "model class"],
    ["metrics.val.loss", "metric", "val.loss"],
    ["metric.m", "metric", "m"],
    ["parameters.p", "param", "p"],
    ["tag.t", "tag", "t"],
  ] as const)("reads %s", (clause, type, key) => {
    expect(single(clause)).toMatchObject({ type, key });
  });

  it.each([
    [["metrics.a", "metrics.a DESC"], 1, "['metrics.a', 'metrics.a DESC']"],
    [["metrics.a", "metric.a"], 1, "['metrics.a', 'metric.a']"],
    [["tags.x", "start_time", "created DESC"], 2, "['tags.x', 'start_time', 'created DESC']"],
    [["`Run Name`", "run_name"], 1, "['`Run Name`', 'run_name']"],
  ])("rejects duplicate fields in %j", (clauses, index, listed) => {
    expect(orderByError(clauses).message).toBe(
      `\`order_by\` contains duplicate fields: ${listed} (in order_by[${index}] at position 0: expected a field not already in order_by)`,
    );
  });

  it("treats the same key under different types as different fields", () => {
    expect(parseOrderBy(["metrics.a", "params.a", "tags.a"], "runs")).toHaveLength(3);
  });

  it.each([
    [
      ["metrics.a DESC x"],
      "Invalid order_by clause 'metrics.a DESC x'. Could not be parsed.",
      0,
      15,
      "the end of the clause",
    ],
    [["metrics.a DESC DESC"], "Invalid order_by clause", 0, 15, "the end of the clause"],
    [["start_time", "metrics.a DOWN"], "Invalid ordering key in order_by clause 'metrics.a DOWN'.", 1, 10, "ASC, DESC"],
    [["metrics.a, metrics.b"], "Invalid ordering key in order_by clause", 0, 9, "ASC, DESC"],
    [["metrics.a;"], "Invalid ordering key", 0, 9, "ASC, DESC"],
    [["metrics.a 'x'"], "Invalid ordering key", 0, 10, "ASC, DESC"],
    [[""], "Invalid order_by clause ''. Could not be parsed.", 0, 0, "a field"],
    [["   "], "Invalid order_by clause", 0, 3, "a field"],
    [["DESC start_time"], "Invalid attribute key 'DESC' specified.", 0, 0, "one of "],
    [["(start_time)"], "Invalid order_by clause", 0, 0, "a field"],
    [["foo"], "Invalid attribute key 'foo' specified. Valid keys are '{'run_id', ", 0, 0, "one of "],
    [["lifecycle_stage"], "Invalid attribute key 'lifecycle_stage'", 0, 0, "one of "],
    [["bogus.x"], "Invalid entity type 'bogus'", 0, 0, "one of "],
    [["datasets.name"], "Invalid order_by entity: dataset", 0, 0, "a field of type attribute, metric, param, tag"],
    [["metrics."], "Invalid identifier 'metrics.'", 0, 8, "a key after 'metrics.'"],
    [["tags.`open"], "Unterminated quoted text", 0, 10, "a closing ` for the ` at position 5"],
  ])("rejects %j", (clauses, message, index, position, expected) => {
    const error = orderByError(clauses);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain(`(in order_by[${index}] at position ${position}: expected ${expected}`);
  });

  it("rejects non-string clauses and a non-list with a LatheError", () => {
    expect(() => parseOrderBy([5] as unknown as string[], "runs")).toThrow(/order_by\[0\]: expected a string/);
    expect(() => parseOrderBy("start_time" as unknown as string[], "runs")).toThrow(LatheError);
  });
});

describe("parseOrderBy: other entities", () => {
  it.each(["name", "experiment_id", "creation_time", "last_update_time"])("experiments order by %s", (key) => {
    expect(single(`${key} DESC`, "experiments")).toEqual({ type: "attribute", key, ascending: false });
    expect(single(`attribute.${key}`, "experiments")).toEqual({ type: "attribute", key, ascending: true });
  });

  it.each([
    ["name", "name"],
    ["timestamp", "last_updated_timestamp"],
    ["last_updated_timestamp", "last_updated_timestamp"],
    ["creation_timestamp", "creation_timestamp"],
  ])("registered models order by %s as %s", (clause, key) => {
    expect(single(`${clause} desc`, "registered_models")).toEqual({ type: "attribute", key, ascending: false });
  });

  it("registered models see timestamp and last_updated_timestamp as one field", () => {
    expect(orderByError(["timestamp", "last_updated_timestamp DESC"], "registered_models").message).toMatch(
      /^`order_by` contains duplicate fields/,
    );
  });

  it.each([
    "name",
    "version_number",
    "creation_timestamp",
    "last_updated_timestamp",
    "run_id",
    "source_path",
    "current_stage",
  ])("model versions order by %s", (key) => {
    expect(single(key, "model_versions")).toEqual({ type: "attribute", key, ascending: true });
  });

  it.each([
    ["experiments", "tags.t", "Invalid order_by entity: tag"],
    ["experiments", "metrics.m", "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"],
    ["experiments", "start_time", "Invalid attribute key 'start_time' specified."],
    ["registered_models", "tags.t", "Invalid order_by entity: tag"],
    ["registered_models", "version_number", "Invalid attribute key 'version_number' specified."],
    ["model_versions", "params.p", "Invalid entity type 'params'"],
    ["model_versions", "timestamp", "Invalid attribute key 'timestamp' specified."],
  ] as const)("%s reject %s", (entity, clause, message) => {
    const error = orderByError([clause], entity);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain("(in order_by[0] at position 0: expected ");
  });

  it("rejects an unknown entity with a LatheError", () => {
    expect(() => parseOrderBy(["name"], "bogus" as SearchEntity)).toThrow(LatheError);
  });
});

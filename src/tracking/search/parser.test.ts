/**
 * Tests for the search filter parser: empty input, the recorded MLflow traffic, every identifier
 * form and every operator per field, with MLflow's error wording and the position each error names.
 * Values, type mismatches, refused structure and the other entities are in parser-values.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseFilter } from "./index.js";
import { filterError, one } from "./test-helpers.js";

describe("parseFilter: empty input", () => {
  it.each([undefined, "", "   ", " \n\t\r "])("treats %j as no filter", (filter) => {
    expect(parseFilter(filter, "runs")).toEqual([]);
  });

  it("treats null (a JSON null) as no filter", () => {
    expect(parseFilter(null as unknown as string, "runs")).toEqual([]);
  });
});

describe("parseFilter: the recorded MLflow traffic", () => {
  it("parses the filters MLflow accepted", () => {
    expect(parseFilter("metrics.accuracy > 0.9 and params.n_estimators = '300'", "runs")).toEqual([
      { type: "metric", key: "accuracy", operator: ">", value: 0.9 },
      { type: "param", key: "n_estimators", operator: "=", value: "300" },
    ]);
    expect(parseFilter("tags.model = 'gbdt' and attributes.status = 'FAILED'", "runs")).toEqual([
      { type: "tag", key: "model", operator: "=", value: "gbdt" },
      { type: "attribute", key: "status", operator: "=", value: "FAILED" },
    ]);
    expect(one("attributes.run_id IN ('ab7ca8387d824bdd9bd9939ee65911ec')")).toEqual({
      type: "attribute",
      key: "run_id",
      operator: "IN",
      value: ["ab7ca8387d824bdd9bd9939ee65911ec"],
    });
    expect(one("attributes.run_name LIKE 'sec%'").value).toBe("sec%");
    expect(one("tags.team = 'ml'", "experiments")).toEqual({ type: "tag", key: "team", operator: "=", value: "ml" });
    expect(one("name = 'iris'", "model_versions").key).toBe("name");
    expect(one("name LIKE 'ir%'", "registered_models").operator).toBe("LIKE");
  });

  it("reproduces MLflow's message for IN on a tag, then names the position", () => {
    expect(filterError("tags.model IN ('rf', 'gbdt')").message).toBe(
      "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('rf', 'gbdt')" +
        " (at position 14: expected a quoted string such as 'my-value')",
    );
  });

  it("reproduces MLflow's message for an unknown comparator, then names the position", () => {
    expect(filterError("metrics.accuracy >>> 1").message).toBe(
      "Invalid comparator '>>>' not one of '{'>', '=', '>=', '<=', '<', '!='}" +
        " (at position 17: expected one of >, =, >=, <=, <, !=)",
    );
  });
});

describe("parseFilter: identifiers", () => {
  it.each([
    ["metric", "metric"],
    ["metrics", "metric"],
    ["param", "param"],
    ["params", "param"],
    ["parameter", "param"],
    ["parameters", "param"],
    ["tag", "tag"],
    ["tags", "tag"],
  ] as const)("maps the type word %s to %s", (word, type) => {
    const value = type === "metric" ? "1" : "'v'";
    expect(one(`${word}.k = ${value}`)).toMatchObject({ type, key: "k" });
  });

  it.each(["attribute", "attributes", "attr", "run"])("maps %s. to attributes", (word) => {
    expect(one(`${word}.status = 'RUNNING'`)).toMatchObject({ type: "attribute", key: "status" });
  });

  it.each(["dataset", "datasets"])("maps %s. to datasets", (word) => {
    expect(one(`${word}.digest = 'abc'`)).toMatchObject({ type: "dataset", key: "digest" });
  });

  it.each([
    ["metrics.`a b` > 1", "metric", "a b"],
    ["tags.\"user-name\" = 'x'", "tag", "user-name"],
    ["params.`model class` = 'x'", "param", "model class"],
    ["`metrics`.`a b` > 1", "metric", "a b"],
    ["`metrics`.plain > 1", "metric", "plain"],
    ["`tags`.\"x y\" = 'v'", "tag", "x y"],
    ["`params`.val.loss = 'v'", "param", "val.loss"],
    ["metrics.val.loss < 1", "metric", "val.loss"],
    ["metrics.`val.loss` < 1", "metric", "val.loss"],
    ["tags.mlflow.runName = 'x'", "tag", "mlflow.runName"],
    ["params.a-b/c:d_e = 'x'", "param", "a-b/c:d_e"],
    ["metrics.5fold > 1", "metric", "5fold"],
    ["`metrics`.5fold > 1", "metric", "5fold"],
    ["metrics.précision > 1", "metric", "précision"],
    ["tags.`it``s` = 'x'", "tag", "it`s"],
  ] as const)("reads %s", (filter, type, key) => {
    expect(one(filter)).toMatchObject({ type, key });
  });

  it.each([
    ["status = 'RUNNING'", "status"],
    ["`run_id` = 'abc'", "run_id"],
    ["\"Run Name\" = 'x'", "run_name"],
    ["`run name` = 'x'", "run_name"],
    ["attributes.`Run name` = 'x'", "run_name"],
    ["created > 5", "start_time"],
    ["Created > 5", "start_time"],
    ["attr.end_time <= 5", "end_time"],
    ["user_id != 'bob'", "user_id"],
    ["artifact_uri LIKE 's3://%'", "artifact_uri"],
  ])("reads the attribute in %s as %s", (filter, key) => {
    expect(one(filter)).toMatchObject({ type: "attribute", key });
  });

  it.each([
    ["foo = 'x'", "Invalid attribute key 'foo' specified. Valid keys are '{'run_id', ", 0],
    ["attributes.lifecycle_stage = 'x'", "Invalid attribute key 'lifecycle_stage'", 11],
    [
      "datasets.schema = 'x'",
      "Invalid dataset key 'schema' specified. Valid keys are '{'name', 'digest', 'context'}'",
      9,
    ],
    [
      "foo.bar = 'x'",
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
      0,
    ],
    ["METRICS.a > 1", "Invalid entity type 'METRICS'", 0],
    ["`bogus`.a > 1", "Invalid entity type 'bogus'", 0],
    ["metrics.a > 1 and run name = 'x'", "Invalid attribute key 'run'", 18],
  ])("rejects the unknown field in %s", (filter, message, position) => {
    const error = filterError(filter);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain(`(at position ${position}: expected one of `);
  });

  it.each([
    ["metrics. > 1", 8, "a key after 'metrics.'"],
    ["`metrics`. > 1", 10, "a key after 'metrics.'"],
    ["metrics.`` > 1", 8, "a non-empty key"],
    ["'metrics.a' > 1", 0, "an identifier"],
    ["> 1", 0, "an identifier"],
    ["5 = metrics.a", 0, "an identifier"],
  ])("rejects the malformed identifier in %s at %i", (filter, position, expected) => {
    expect(filterError(filter).message).toContain(`(at position ${position}: expected ${expected}`);
  });
});

describe("parseFilter: operators per field (runs)", () => {
  const numeric = [">", ">=", "<", "<=", "=", "!="] as const;
  const strings = ["=", "!=", "LIKE", "ILIKE"] as const;

  it.each(numeric)("metrics accept %s", (op) => {
    expect(one(`metrics.m ${op} 1`)).toEqual({ type: "metric", key: "m", operator: op, value: 1 });
  });

  it.each(numeric)("numeric attributes accept %s", (op) => {
    expect(one(`start_time ${op} 1700000000000`).operator).toBe(op);
    expect(one(`attributes.end_time ${op} 0`).operator).toBe(op);
  });

  it.each(strings)("params, tags and string attributes accept %s", (op) => {
    expect(one(`params.p ${op} 'v'`)).toEqual({ type: "param", key: "p", operator: op, value: "v" });
    expect(one(`tags.t ${op} 'v'`).operator).toBe(op);
    for (const key of ["run_id", "run_name", "status", "user_id", "artifact_uri"]) {
      expect(one(`attributes.${key} ${op} 'v'`)).toMatchObject({ key, operator: op });
    }
  });

  it.each([...strings, "IN", "NOT IN"] as const)("datasets accept %s", (op) => {
    const value = op === "IN" || op === "NOT IN" ? "('a', 'b')" : "'a'";
    for (const key of ["name", "digest", "context"]) {
      expect(one(`datasets.${key} ${op} ${value}`)).toMatchObject({ type: "dataset", key, operator: op });
    }
  });

  it("accepts IN and NOT IN for run_id, lower-casing the ids", () => {
    expect(one("run_id IN ('ABC', 'def')").value).toEqual(["abc", "def"]);
    expect(one("attributes.run_id NOT IN ('X')")).toMatchObject({ operator: "NOT IN", value: ["x"] });
    expect(one("datasets.name IN ('Train')").value).toEqual(["Train"]);
  });

  it.each([
    ["metrics.m LIKE 1", "Invalid comparator 'LIKE' not one of '{'>', '=', '>=', '<=', '<', '!='}", 10],
    ["metrics.m IN 1", "Invalid comparator 'IN' not one of", 10],
    ["params.p > 'v'", "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE'}", 9],
    ["tags.t IN 'v'", "Invalid comparator 'IN' not one of '{'=', '!=', 'LIKE', 'ILIKE'}", 7],
    ["status IN 'v'", "Invalid comparator 'IN'", 7],
    ["start_time LIKE 5", "Invalid comparator 'LIKE' not one of '{'>', '=', ", 11],
    ["run_id < 'a'", "Invalid comparator '<' not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}", 7],
    ["datasets.name >= 'a'", "Invalid comparator '>='", 14],
    ["metrics.m == 1", "Invalid comparator '=='", 10],
    ["metrics.m <> 1", "Invalid comparator '<>'", 10],
    ["metrics.m BETWEEN 1", "Invalid comparator 'BETWEEN'", 10],
    ["params.p NOT LIKE 'a'", "Invalid comparator 'NOT LIKE'", 9],
    ["params.p IS 'a'", "Invalid comparator 'IS'", 9],
  ])("rejects %s", (filter, message, position) => {
    const error = filterError(filter);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain(`(at position ${position}: expected one of `);
  });

  it("matches operators and AND in any case", () => {
    expect(
      parseFilter(
        "params.a like 'x' AnD tags.b Ilike 'y' and run_id in ('r') AND run_id not In ('s') and metrics.m >= 1",
        "runs",
      ).map((c) => c.operator),
    ).toEqual(["LIKE", "ILIKE", "IN", "NOT IN", ">="]);
    expect(one("run_id NOT \n\t IN ('a')").operator).toBe("NOT IN");
  });

  it("needs no spaces around symbolic operators and takes any whitespace", () => {
    expect(parseFilter("metrics.a>=1 and params.b!='x'", "runs")).toHaveLength(2);
    expect(parseFilter("params.b='x'AND tags.`c`='y'and`metrics`.d<2", "runs")).toHaveLength(3);
    expect(parseFilter("\n metrics.a\t<\n-1\r\nAND\ttags.t='x' ", "runs")).toEqual([
      { type: "metric", key: "a", operator: "<", value: -1 },
      { type: "tag", key: "t", operator: "=", value: "x" },
    ]);
  });
});

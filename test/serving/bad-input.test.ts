/**
 * Bad input gets a clear 400 (415 for a media type the protocol does not take, 404 for an unknown
 * model) in the protocol's own error shape, naming the problem and the fix; and no input, however
 * malformed, takes the server down.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, readExpected, type ServingUnderTest, startServing } from "./helpers.js";

const expected = readExpected("iris_logreg");
const [c0, c1, c2, c3] = expected.columns as [string, string, string, string];
let serving: ServingUnderTest;
let modelDir: string;

beforeAll(async () => {
  // The MLflow model with one column declared `long`, which takes no missing values.
  modelDir = mkdtempSync(join(tmpdir(), "lathe-bad-input-"));
  cpSync(join(FIXTURES, "mlflow-onnx-model"), modelDir, { recursive: true });
  const mlmodel = readFileSync(join(modelDir, "MLmodel"), "utf8").replace(
    '{"type": "float", "name": "petal_width_cm"',
    '{"type": "long", "name": "petal_width_cm"',
  );
  writeFileSync(join(modelDir, "MLmodel"), mlmodel);
  serving = await startServing(modelDir, { name: "iris", maxRequestBytes: 64 * 1024 });
});
afterAll(async () => {
  await serving.close();
  rmSync(modelDir, { recursive: true, force: true });
});

async function mlflowError(body: unknown, contentType?: string): Promise<string> {
  const reply = await serving.post("/invocations", body, contentType);
  expect(reply.status, reply.text).toBe(400);
  expect(["BAD_REQUEST", "INVALID_PARAMETER_VALUE"]).toContain(reply.body.error_code);
  expect(typeof reply.body.message).toBe("string");
  return reply.body.message as string;
}

async function v2Error(path: string, body: unknown, status = 400): Promise<string> {
  const reply = await serving.post(path, body);
  expect(reply.status, reply.text).toBe(status);
  expect(Object.keys(reply.body)).toEqual(["error"]);
  return reply.body.error as string;
}

const row = [5.1, 3.5, 1.4, 0];

describe("/invocations refuses", () => {
  it("a body with no known format, naming the accepted ones", async () => {
    const message = await mlflowError({ bogus: 1 });
    expect(message).toContain("'bogus'");
    for (const format of ["dataframe_split", "dataframe_records", "instances", "inputs"])
      expect(message).toContain(format);
  });

  it("malformed JSON and non-object bodies", async () => {
    expect(await mlflowError("{not json")).toMatch(/not valid JSON/);
    expect(await mlflowError("[1, 2]")).toMatch(/JSON object, not a list/);
    expect(await mlflowError("")).toMatch(/not valid JSON/);
  });

  it("several formats at once", async () => {
    const message = await mlflowError({ instances: [row], inputs: [row] });
    expect(message).toMatch(/several: instances, inputs/);
  });

  it("a media type other than JSON or CSV with 415", async () => {
    const reply = await serving.post("/invocations", "hello", "text/plain");
    expect(reply.status).toBe(415);
    expect(reply.text).toMatch(/application\/json', 'text\/csv'. Got 'text\/plain'/);
  });

  it("a missing column and an extra one, by name", async () => {
    const missing = await mlflowError({ dataframe_split: { columns: [c0, c1, c2], data: [[5.1, 3.5, 1.4]] } });
    expect(missing).toContain(`missing column '${c3}'`);
    const extra = await mlflowError({ dataframe_split: { columns: [c0, c1, c2, c3, "colour"], data: [[...row, 1]] } });
    expect(extra).toContain("unknown column 'colour'");
    expect(extra).toContain(`'${c0}' (float)`);
  });

  it("a value of the wrong type, naming the column, row and type", async () => {
    const message = await mlflowError({
      dataframe_split: { columns: [c0, c1, c2, c3], data: [row, ["x", 3.5, 1.4, 0]] },
    });
    expect(message).toBe(`Column '${c0}' (row 1) must be a float number; got "x", which is not a number.`);
    expect(await mlflowError({ dataframe_records: [{ [c0]: [1], [c1]: 1, [c2]: 1, [c3]: 1 }] })).toContain(
      `Column '${c0}' (row 0) must be a float number; got [1]`,
    );
    expect(
      await mlflowError({ dataframe_split: { columns: [c0, c1, c2, c3], data: [[5.1, 3.5, 1.4, 0.5]] } }),
    ).toContain(`Column '${c3}' (row 0) must be a whole number (long)`);
  });

  it("a missing value where the column takes none, but NaN in a float column is fine", async () => {
    const message = await mlflowError({
      dataframe_split: { columns: [c0, c1, c2, c3], data: [[5.1, 3.5, 1.4, null]] },
    });
    expect(message).toContain(`Column '${c3}' (row 0) has no value`);
    expect(await mlflowError(`${[c0, c1, c2, c3].join(",")}\n5.1,3.5,1.4,NaN\n`, "text/csv")).toContain(`'${c3}'`);
    const ok = await serving.post("/invocations", {
      dataframe_split: { columns: [c0, c1, c2, c3], data: [[null, 3.5, 1.4, 0]] },
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it("reads columnar inputs given as [rows, 1] lists and quoted CSV fields", async () => {
    const columnar = await serving.post("/invocations", {
      inputs: { [c0]: [[5.1]], [c1]: [[3.5]], [c2]: [[1.4]], [c3]: [[0]] },
    });
    expect(columnar.body.predictions).toEqual(["setosa"]);
    const csv = await serving.post("/invocations", `"${c0}",${c1},${c2},${c3}\r\n"5.1",3.5,1.4,0\r\n`, "text/csv");
    expect(csv.body.predictions).toEqual(["setosa"]);
    expect(await mlflowError(`${c0},${c1},${c2},${c3}\n5.1,3.5\n`, "text/csv")).toMatch(
      /CSV row 1 has 2 fields but the header has 4/,
    );
  });

  it("rows of the wrong width and empty batches", async () => {
    expect(await mlflowError({ instances: [[1, 2, 3]] })).toMatch(/Row 0 has 3 values but the model takes 4 per row/);
    expect(await mlflowError({ dataframe_split: { columns: [c0, c1, c2, c3], data: [[1, 2]] } })).toMatch(
      /Row 0 has 2 values/,
    );
    expect(await mlflowError({ instances: [] })).toMatch(/empty/);
    expect(await mlflowError({ dataframe_records: [] })).toMatch(/empty/);
    expect(await mlflowError(`${c0},${c1}\n`, "text/csv")).toMatch(/no rows/);
    expect(await mlflowError({ inputs: { [c0]: [1, 2], [c1]: [1] } })).toMatch(/one value per row/);
    expect(await mlflowError({ instances: [row], params: { output: "everything" } })).toMatch(/params.output/);
  });
});

describe("V2 infer refuses", () => {
  const path = "/v2/models/iris/infer";
  const good = { name: "input", datatype: "FP32", shape: [1, 4], data: row };

  it("a shape that does not match the data", async () => {
    expect(await v2Error(path, { inputs: [{ ...good, shape: [2, 4] }] })).toMatch(/holds 8 values, but 'data' has 4/);
    expect(await v2Error(path, { inputs: [{ ...good, shape: [4] }] })).toMatch(
      /shape \[rows\] or \[rows, 1\]|must have shape/,
    );
  });

  it("unknown or non-numeric datatypes and wrong elements", async () => {
    expect(await v2Error(path, { inputs: [{ ...good, datatype: "FLOAT" }] })).toMatch(/datatype "FLOAT"; use one of/);
    expect(await v2Error(path, { inputs: [{ ...good, datatype: "BYTES", data: ["a", "b", "c", "d"] }] })).toMatch(
      /BYTES/,
    );
    expect(await v2Error(path, { inputs: [{ ...good, data: [1, "2", 3, 4] }] })).toMatch(/element 1 is "2"/);
  });

  it("missing inputs, malformed JSON, unknown outputs and wrong columns", async () => {
    expect(await v2Error(path, {})).toMatch(/'inputs' must be a non-empty list/);
    expect(await v2Error(path, "{oops")).toMatch(/not valid JSON/);
    expect(await v2Error(path, { inputs: [good], outputs: [{ name: "nope" }] })).toMatch(
      /Output 'nope' does not exist/,
    );
    const columns = [c0, c1, c2].map((name) => ({ name, datatype: "FP32", shape: [1], data: [1] }));
    expect(await v2Error(path, { inputs: columns })).toContain(`missing column '${c3}'`);
  });

  it("an unknown model or version with 404", async () => {
    expect(await v2Error("/v2/models/other/infer", { inputs: [good] }, 404)).toMatch(
      /Model with name other does not exist/,
    );
    expect(await v2Error("/v2/models/iris/versions/7/infer", { inputs: [good] }, 404)).toMatch(/no version 7/);
    const metadata = await serving.get("/v2/models/other");
    expect(metadata.status).toBe(404);
    expect(metadata.body.error).toMatch(/does not exist/);
  });
});

describe("garbage at every route", () => {
  const deep = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
  const bodies: [string, string][] = [
    ["application/json", "{"],
    ["application/json", "null"],
    ["application/json", "123"],
    ["application/json", '"string"'],
    ["application/json", "[]"],
    ["application/json", '{"inputs": null}'],
    ["application/json", '{"inputs": [null, 1, "x"]}'],
    ["application/json", '{"inputs": {"input": [[1e400, -1e400, 1, 2]]}}'],
    ["application/json", '{"instances": [{"__proto__": {"x": 1}}]}'],
    ["application/json", '{"dataframe_split": {"columns": [1, 2], "data": 5}}'],
    ["application/json", '{"dataframe_split": {"data": [[1, 2, 3, 4]], "columns": null}}'],
    ["application/json", '{"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4], "data": []}]}'],
    ["application/json", '{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1e12, 1e12], "data": [1]}]}'],
    ["application/json", `{"instances": ${deep}}`],
    ["application/json", `{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 1], "data": ${deep}}]}`],
    ["application/json", "x".repeat(100 * 1024)],
    ["text/csv", '"unterminated'],
    ["text/csv", "a,b\n1"],
    ["application/octet-stream", "\u0000\u0001\u0002"],
    ["", "??"],
    ["application/json; charset=latin-1", "\u00ff\u00fe"],
  ];
  const routes = [
    "/invocations",
    "/v2/models/iris/infer",
    "/v2/models/iris/versions/1/infer",
    "/v2/models/iris",
    "/v2/health/ready",
    "/ping",
    "/metrics",
    "/nope",
  ];

  it("never gets a 5xx and leaves the server healthy", async () => {
    for (const route of routes) {
      for (const [contentType, body] of bodies) {
        const response = await fetch(`${serving.url}${route}`, {
          method: "POST",
          headers: contentType ? { "content-type": contentType } : {},
          body,
        });
        const text = await response.text();
        expect(response.status, `${route} ${contentType} ${body.slice(0, 60)}: ${text.slice(0, 200)}`).toBeLessThan(
          500,
        );
        expect(response.status, `${route} ${contentType} ${body.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      }
      const get = await fetch(`${serving.url}${route}?x=%00%ff`);
      expect(get.status).toBeLessThan(500);
    }
    expect((await serving.get("/ping")).status).toBe(200);
    const ok = await serving.post("/invocations", { instances: [[5.1, 3.5, 1.4, 0]] });
    expect(ok.body.predictions).toEqual(["setosa"]);
  });
});

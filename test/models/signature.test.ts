import { describe, expect, it } from "vitest";
import {
  columnSchema,
  formatSchema,
  formatSignature,
  parseSchema,
  parseSignature,
} from "../../src/models/signature.js";
import { checkBatch, enforceSchema } from "../../src/models/signature-check.js";

const COLUMNS = '[{"type": "double", "name": "x", "required": true}, {"type": "long", "name": "n", "required": true}]';
const TENSOR = '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]';

describe("signature parsing", () => {
  it("round-trips column and tensor schemas in MLflow's JSON spelling", () => {
    expect(formatSchema(parseSchema(COLUMNS))).toBe(COLUMNS);
    expect(formatSchema(parseSchema(TENSOR))).toBe(TENSOR);
    const named = '[{"name": "input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]';
    expect(formatSchema(parseSchema(named))).toBe(named);
    const composite = '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": false}]';
    expect(formatSchema(parseSchema(composite))).toBe(composite);
  });

  it("writes the signature block with nulls where MLflow does", () => {
    const signature = parseSignature({ inputs: COLUMNS, outputs: null, params: null });
    expect(formatSignature(signature)).toEqual({ inputs: COLUMNS, outputs: null, params: null });
    expect(formatSchema(columnSchema(["a"]))).toBe('[{"type": "double", "name": "a", "required": true}]');
  });

  it("refuses malformed schemas with a message saying what to write", () => {
    expect(() => parseSchema("nope")).toThrow(/not valid JSON/);
    expect(() => parseSchema("[]")).toThrow(/non-empty JSON list/);
    expect(() => parseSchema('[{"type": "decimal", "name": "x"}]')).toThrow(/type "decimal"; use one of boolean/);
    expect(() => parseSchema(`[${COLUMNS.slice(1, -1)}, ${TENSOR.slice(1, -1)}]`)).toThrow(/mixes column and tensor/);
    expect(() => parseSchema('[{"type": "tensor"}]')).toThrow(/tensor-spec/);
    expect(() => parseSchema('[{"type": "tensor", "tensor-spec": {"dtype": "float99", "shape": [-1]}}]')).toThrow(
      /dtype 'float99'/,
    );
    expect(() => parseSchema('[{"type": "double", "name": "x"}, {"type": "double", "name": "x"}]')).toThrow(/twice/);
    expect(() => parseSchema('[{"type": "double", "name": "x"}, {"type": "double"}]')).toThrow(/name all/);
    expect(() => parseSignature({ outputs: COLUMNS })).toThrow(/'inputs'/);
  });
});

describe("checking a batch against a signature", () => {
  const columns = parseSchema(COLUMNS);
  const tensor = parseSchema(TENSOR);

  it("accepts batches that fit", () => {
    expect(checkBatch(columns, [{ x: 1.5, n: 2 }])).toEqual([]);
    expect(checkBatch(columns, { x: [Number.NaN, 1], n: [1, 2] })).toEqual([]);
    expect(checkBatch(columns, [[1.5, 2]])).toEqual([]);
    expect(checkBatch(tensor, [[1, 2, 3, 4]])).toEqual([]);
    expect(checkBatch(tensor, { columns: ["a", "b", "c", "d"], rows: [[1, 2, 3, 4]] })).toEqual([]);
  });

  it("names the column and what was expected", () => {
    expect(checkBatch(columns, [{ x: 1 }])).toEqual([
      expect.objectContaining({ column: "n", message: expect.stringMatching(/Column 'n' is missing.*'n' \(long\)/) }),
    ]);
    expect(checkBatch(columns, [{ x: 1, n: 2, y: 3 }])[0]).toMatchObject({
      column: "y",
      message: expect.stringMatching(/Column 'y' is not an input/),
    });
    expect(checkBatch(columns, [{ x: "a", n: 2 }])[0]).toMatchObject({
      column: "x",
      row: 0,
      message: "Column 'x' at row 0 is the string \"a\"; expected a number (double).",
    });
    expect(checkBatch(columns, { x: [1, 2], n: [1, 2.5] })[0]?.message).toMatch(/'n' at row 1 .*whole number \(long\)/);
    expect(checkBatch(columns, { x: [1], n: [Number.NaN] })[0]?.message).toMatch(
      /'n' at row 0 is missing .*cannot hold/,
    );
    expect(checkBatch(columns, [[1, 2, 3]])[0]?.message).toMatch(/3 values but the model expects 2 columns/);
    expect(checkBatch(tensor, [[1, 2, 3]])[0]?.message).toMatch(/shape \[1, 3\] but the model expects \[-1, 4\]/);
    expect(checkBatch(tensor, [[1, 2, 3, "x"]])[0]?.message).toMatch(/row 0 is the string "x"; expected a number/);
    expect(
      checkBatch(tensor, [
        [1, 2, 3, 4],
        [1, 2],
      ])[0]?.message,
    ).toMatch(/ragged/);
    const ints = parseSchema('[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1, 1]}}]');
    expect(checkBatch(ints, [[1], [Number.NaN]])[0]).toMatchObject({
      row: 1,
      message: expect.stringMatching(/missing/),
    });
  });

  it("throws one INVALID_PARAMETER_VALUE listing the problems", () => {
    expect(() => enforceSchema(columns, [{ z: 1 }])).toThrow(
      expect.objectContaining({
        code: "INVALID_PARAMETER_VALUE",
        message: expect.stringMatching(/'x' is missing.*'n' is missing.*'z'/),
      }),
    );
  });
});

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeLabels, inferTask, parseCsvDataset, parseCsvRecords, readCsvDataset } from "./dataset.js";

describe("parseCsvRecords", () => {
  it("handles quotes, doubled quotes, CRLF and a missing final newline", () => {
    expect(parseCsvRecords('a,"b,c","say ""hi"""\r\n1,2,3')).toEqual([
      ["a", "b,c", 'say "hi"'],
      ["1", "2", "3"],
    ]);
  });
});

describe("parseCsvDataset", () => {
  it("splits features from the named target, keeping string labels", () => {
    const data = parseCsvDataset("x,label,y\n1,b,2\n3.5,a,4\n", { target: "label" });
    expect(data.featureNames).toEqual(["x", "y"]);
    expect(data.rows.map((row) => Array.from(row))).toEqual([
      [1, 2],
      [3.5, 4],
    ]);
    expect(data.target).toEqual(["b", "a"]);
    expect(data.targetName).toBe("label");
  });

  it("defaults to the last column and parses numeric targets as numbers", () => {
    const data = parseCsvDataset("a,b,t\n1,2,10\n3,4,2\n");
    expect(data.target).toEqual([10, 2]);
  });

  it("names a missing target column and lists the columns", () => {
    expect(() => parseCsvDataset("a,b\n1,2\n", { target: "species" })).toThrow(
      /no column "species".*its columns are a, b/,
    );
  });

  it("names the line and column of a non-numeric feature", () => {
    expect(() => parseCsvDataset("a,b,t\n1,2,x\n1,red,y\n", { source: "data.csv" })).toThrow(
      /data\.csv, line 3, column "b": "red" is not a number/,
    );
    expect(() => parseCsvDataset("a,t\n,x\n")).toThrow(/line 2, column "a": an empty value is not a number/);
  });

  it("refuses an empty file, a header alone and a missing target value", () => {
    expect(() => parseCsvDataset("")).toThrow(/is empty/);
    expect(() => parseCsvDataset("a,t\n")).toThrow(/no data rows/);
    expect(() => parseCsvDataset("a,t\n1,NaN\n")).toThrow(/line 2: the target "t" is missing/);
    expect(() => parseCsvDataset("a,t\n1,\n")).toThrow(/the target "t" is missing \(empty\)/);
  });

  it("refuses a row with the wrong number of fields", () => {
    expect(() => parseCsvDataset("a,b,t\n1,2\n")).toThrow(/line 2: 2 fields but the header has 3/);
  });

  it("reads a file and reports an unreadable path as IO_ERROR", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lathe-dataset-"));
    await writeFile(join(dir, "d.csv"), "a,t\n1,x\n");
    expect((await readCsvDataset(join(dir, "d.csv"))).target).toEqual(["x"]);
    await expect(readCsvDataset(join(dir, "missing.csv"))).rejects.toMatchObject({ code: "IO_ERROR" });
  });
});

describe("labels and tasks", () => {
  it("sorts classes like np.unique", () => {
    expect(encodeLabels(["b", "a", "B", "b"]).classes).toEqual(["B", "a", "b"]);
    const numeric = encodeLabels([10, 2, 2, 1]);
    expect(numeric.classes).toEqual([1, 2, 10]);
    expect(Array.from(numeric.y)).toEqual([2, 1, 1, 0]);
  });

  it("infers classification for strings and few integers, regression otherwise", () => {
    expect(inferTask(["a", "b"])).toBe("classification");
    expect(inferTask([0, 1, 1, 0])).toBe("classification");
    expect(inferTask([0.5, 1, 2])).toBe("regression");
    expect(inferTask(Array.from({ length: 100 }, (_, i) => i))).toBe("regression");
  });
});

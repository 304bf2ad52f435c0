/**
 * `lathe validate` and `lathe profile` from source, and a validation stage gating `lathe repro`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lathe, makeRepo, removeRepo, writeFiles } from "../pipeline/helpers.js";

const DATA = "id,score,kind\n1,0.5,a\n2,0.7,b\n3,,a\n4,1.4,b\n";
const GOOD = `name: gate
expectations:
  - type: expect_table_row_count_to_be_between
    kwargs: {min_value: 1}
  - type: expect_column_values_to_be_in_set
    kwargs: {column: kind, value_set: [a, b]}
`;
const BAD = `${GOOD}  - type: expect_column_values_to_be_between
    kwargs: {column: score, max_value: 1}
`;

let root: string;
beforeEach(async () => {
  root = await makeRepo();
});
afterEach(async () => removeRepo(root));

describe("lathe validate", () => {
  it("prints the report and exits 0 when the suite passes, 1 when it fails", async () => {
    await writeFiles(root, { "data.csv": DATA, "good.yaml": GOOD, "bad.yaml": BAD });
    const good = await lathe(root, ["validate", "data.csv", "--suite", "good.yaml"]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe(
      "Suite 'gate' on data.csv\n" +
        "✓ expect_table_row_count_to_be_between(min_value=1)\n    observed 4\n" +
        '✓ expect_column_values_to_be_in_set(column=kind, value_set=["a", "b"])\n    0 of 4 unexpected (0%)\n' +
        "PASSED: 2 of 2 expectations met (100%).\n",
    );
    const bad = await lathe(root, ["validate", "data.csv", "--suite", "bad.yaml", "--html", "docs/report.html"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      "✗ expect_column_values_to_be_between(column=score, max_value=1)\n    1 of 3 unexpected (33.3333%), 1 missing; e.g. 1.4\n",
    );
    expect(bad.stdout).toContain(
      "FAILED: 2 of 3 expectations met (66.6667%).\nWrote the data docs to docs/report.html.\n",
    );
    expect(await readFile(join(root, "docs/report.html"), "utf8")).toContain("expect_column_values_to_be_between");
  });

  it("prints GX's result JSON with --json and reports a bad suite with exit code 2", async () => {
    await writeFiles(root, {
      "data.csv": DATA,
      "bad.yaml": BAD,
      "typo.yaml": "expectations:\n  - type: expect_column_values_to_be_betwen\n    kwargs: {column: score}\n",
    });
    const json = await lathe(root, ["validate", "data.csv", "--suite", "bad.yaml", "--json"]);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result.success).toBe(false);
    expect(result.statistics.unsuccessful_expectations).toBe(1);
    expect(result.results[2].result.partial_unexpected_list).toEqual([1.4]);
    const typo = await lathe(root, ["validate", "data.csv", "--suite", "typo.yaml"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      "lathe: typo.yaml: expectations[0] has the unknown type 'expect_column_values_to_be_betwen'; did you mean 'expect_column_values_to_be_between'?",
    );
    const missing = await lathe(root, ["validate", "nope.csv", "--suite", "bad.yaml"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("nope.csv does not exist");
  });

  it("profile writes a suite that the reference data passes", async () => {
    await writeFiles(root, { "data.csv": DATA });
    const profiled = await lathe(root, ["profile", "data.csv", "-o", "suite.yaml"]);
    expect(profiled.code).toBe(0);
    expect(profiled.stdout).toContain("Wrote 10 expectations to suite.yaml");
    const suite = await readFile(join(root, "suite.yaml"), "utf8");
    expect(suite).toContain("expect_column_values_to_be_in_set");
    const check = await lathe(root, ["validate", "data.csv", "--suite", "suite.yaml"]);
    expect(check.code).toBe(0);
  });
});

describe("a validation stage in dvc.yaml", () => {
  it("stops lathe repro when the suite fails, with the report in the output", async () => {
    const main = join(import.meta.dirname, "../../src/cli/main.ts");
    const validate = `${process.execPath} --import ${import.meta.resolve("tsx")} ${main} validate data.csv --suite suite.yaml --html report.html`;
    await writeFiles(root, {
      "data.csv": DATA,
      "suite.yaml": BAD,
      "dvc.yaml": `stages:
  validate:
    cmd: ${JSON.stringify(validate)}
    deps: [data.csv, suite.yaml]
    outs:
      - report.html: {cache: false}
  train:
    cmd: echo trained > model.txt
    deps: [report.html]
    outs: [model.txt]
`,
    });
    const failed = await lathe(root, ["repro"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("[validate] ✗ expect_column_values_to_be_between(column=score, max_value=1)");
    expect(failed.stdout).toContain("[validate] FAILED: 2 of 3 expectations met (66.6667%).");
    expect(failed.stderr).toContain("ERROR: failed to reproduce 'validate': exit code 1");
    expect(existsSync(join(root, "model.txt"))).toBe(false);

    await writeFiles(root, { "suite.yaml": GOOD });
    const passed = await lathe(root, ["repro"]);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain("[validate] PASSED: 2 of 2 expectations met (100%).");
    expect(existsSync(join(root, "model.txt"))).toBe(true);
  });
});

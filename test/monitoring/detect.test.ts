/**
 * The drift detectors over tables, the CSV reader, the HTML report and `lathe drift` in-process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { registerDriftCommand } from "../../src/cli/drift.js";
import { isLatheError, type LatheError } from "../../src/core/errors.js";
import { createFeatureDriftDetector, detectFeatureDrift } from "../../src/monitoring/detect.js";
import { detectMmdDrift } from "../../src/monitoring/detect-mmd.js";
import { detectPredictionDrift, inferPredictionKind } from "../../src/monitoring/detect-prediction.js";
import { renderDriftHtml } from "../../src/monitoring/report-html.js";
import { seededRandom } from "../../src/monitoring/stats/random.js";
import { parseCsv, readTable, type Table, tableFromColumns } from "../../src/monitoring/table.js";

function thrown(work: () => unknown): LatheError {
  try {
    work();
  } catch (error) {
    if (isLatheError(error)) return error;
    throw error;
  }
  throw new Error("expected a LatheError");
}

function normals(count: number, seed: number, shift = 0): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: count }, () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) + shift;
  });
}

function labels(count: number, seed: number, choices: string[]): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => choices[Math.floor(random() * choices.length)]!);
}

const reference: Table = tableFromColumns({
  stable: normals(300, 1),
  shifted: normals(300, 2),
  city: labels(300, 3, ["a", "b", "c"]),
  code: Array.from({ length: 300 }, (_, i) => i % 3),
});
const current: Table = tableFromColumns({
  stable: normals(300, 4),
  shifted: normals(300, 5, 1),
  city: labels(300, 6, ["a", "b", "c", "d"]),
  code: Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? 2 : i % 3)),
});

describe("detectFeatureDrift", () => {
  it("tests numeric columns with KS and categorical ones with χ², Bonferroni by default", () => {
    const report = detectFeatureDrift(reference, current, { categorical: ["code"] });
    const byName = Object.fromEntries(report.columns.map((column) => [column.column, column]));
    expect(byName.stable).toMatchObject({ type: "numeric", test: "ks", drift: false });
    expect(byName.shifted).toMatchObject({ type: "numeric", test: "ks", drift: true });
    // "d" is only in the current data and still counts.
    expect(byName.city).toMatchObject({ type: "categorical", test: "chi2", drift: true });
    expect(byName.code).toMatchObject({ type: "categorical", test: "chi2" });
    expect(report.correction).toBe("bonferroni");
    for (const column of report.columns) expect(column.threshold).toBeCloseTo(0.05 / 4, 15);
    expect(report.number_of_columns).toBe(4);
    expect(report.dataset_drift).toBe(report.share_of_drifted_columns >= 0.5);
  });

  it("applies FDR, the drift share and the column list", () => {
    const report = detectFeatureDrift(reference, current, {
      columns: ["stable", "shifted"],
      correction: "fdr",
      driftShare: 0.6,
    });
    expect(report.columns.map((column) => column.column)).toEqual(["stable", "shifted"]);
    expect(report.number_of_drifted_columns).toBe(1);
    expect(report.dataset_drift).toBe(false);
    expect(
      detectFeatureDrift(reference, current, { columns: ["stable", "shifted"], driftShare: 0.5 }).dataset_drift,
    ).toBe(true);
  });

  it("uses distance thresholds for psi, js and wasserstein", () => {
    for (const test of ["psi", "js", "wasserstein"] as const) {
      const report = detectFeatureDrift(reference, current, { test, columns: ["stable", "shifted"] });
      for (const column of report.columns) {
        expect(column.p_value).toBeNull();
        expect(column.threshold).toBe(0.1);
        expect(column.drift).toBe(column.statistic >= 0.1);
      }
      expect(report.columns[1]!.drift).toBe(true);
    }
    const psiCity = detectFeatureDrift(reference, current, { test: "psi", columns: ["city"] }).columns[0]!;
    expect(psiCity).toMatchObject({ test: "psi", type: "categorical" });
    const wassersteinCity = detectFeatureDrift(reference, current, { test: "wasserstein", columns: ["city"] })
      .columns[0]!;
    expect(wassersteinCity.test).toBe("chi2");
  });

  it("runs every p-value test", () => {
    for (const test of ["ks", "cvm", "ad", "mw"] as const) {
      const column = detectFeatureDrift(reference, current, { test, columns: ["shifted"] }).columns[0]!;
      expect(column.test).toBe(test);
      expect(column.p_value).toBeLessThan(0.01);
      expect(column.drift).toBe(true);
    }
  });

  it("names the column and the fix when a column is empty or missing", () => {
    const empty = tableFromColumns({ x: [null, null, null] });
    const full = tableFromColumns({ x: [1, 2, 3] });
    const error = thrown(() => detectFeatureDrift(full, empty));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/Column 'x' has no values in the current data/);
    expect(error.message).toMatch(/--columns/);
    expect(thrown(() => detectFeatureDrift(full, tableFromColumns({ y: [1] }))).message).toMatch(
      /Column 'x' is in the reference but not in the current data/,
    );
    expect(thrown(() => detectFeatureDrift(full, full, { columns: ["nope"] })).message).toMatch(/'nope'/);
    expect(thrown(() => detectFeatureDrift(full, tableFromColumns({ x: ["a", "b", "c"] }))).message).toMatch(
      /--categorical x/,
    );
    expect(thrown(() => detectFeatureDrift(full, full, { pVal: 2 })).message).toMatch(/--p-val/);
    expect(thrown(() => detectFeatureDrift(full, full, { driftShare: 0 })).message).toMatch(/--drift-share/);
  });

  it("reuses a detector built once on the reference", () => {
    const detector = createFeatureDriftDetector(reference, { columns: ["stable", "shifted"] });
    expect(detector.detect(current)).toEqual(
      detectFeatureDrift(reference, current, { columns: ["stable", "shifted"] }),
    );
    expect(detector.detect(reference).number_of_drifted_columns).toBe(0);
  });

  it("reports the counts after dropping missing values", () => {
    const a = tableFromColumns({ x: [1, null, 3, 4] });
    const b = tableFromColumns({ x: [1, 2, null, null] });
    expect(detectFeatureDrift(a, b).columns[0]).toMatchObject({ reference_count: 3, current_count: 2 });
  });
});

describe("detectMmdDrift and detectPredictionDrift", () => {
  it("detects multivariate drift on the numeric columns", () => {
    const report = detectMmdDrift(reference, current, { permutations: 50, seed: 1 });
    expect(report.columns[0]).toMatchObject({ column: "stable,shifted,code", test: "mmd", drift: true });
    expect(report.mmd).toMatchObject({ permutations: 50, subsampled: false });
    const small = detectMmdDrift(reference, current, { permutations: 20, maxRows: 100 });
    expect(small.mmd?.subsampled).toBe(true);
    expect(small.columns[0]).toMatchObject({ reference_count: 100, current_count: 100 });
    expect(report.dataset_drift).toBe(true);
    const quiet = detectMmdDrift(reference, current, { columns: ["stable"], permutations: 50 });
    expect(quiet.columns[0]!.drift).toBe(false);
    expect(thrown(() => detectMmdDrift(reference, current, { columns: ["city"] })).message).toMatch(/categorical/);
  });

  it("uses χ² on labels and KS on scores", () => {
    expect(inferPredictionKind(["cat", "dog"])).toBe("labels");
    expect(inferPredictionKind([0, 1, 1, 0])).toBe("labels");
    expect(inferPredictionKind([0.2, 0.9])).toBe("scores");
    const labelDrift = detectPredictionDrift(labels(200, 1, ["a", "b"]), labels(200, 2, ["a", "b", "b", "b"]));
    expect(labelDrift).toMatchObject({ test: "chi2", drift: true, column: "prediction" });
    const scoreDrift = detectPredictionDrift(Array.from(normals(200, 3)), Array.from(normals(200, 4)));
    expect(scoreDrift).toMatchObject({ test: "ks", drift: false });
    expect(thrown(() => detectPredictionDrift(["a"], [0.5], { kind: "scores" })).message).toMatch(/not a score/);
  });
});

describe("CSV tables", () => {
  it("reads quotes, CRLF, a BOM and missing cells", () => {
    const table = parseCsv('\ufeffa,"b, c",d\r\n1,"x ""y""",\r\n2.5,"multi\nline",NA\r\n,z,3\r\n');
    expect(table.rowCount).toBe(3);
    expect(table.columns.map((column) => [column.name, column.kind])).toEqual([
      ["a", "numeric"],
      ["b, c", "categorical"],
      ["d", "numeric"],
    ]);
    const [a, b, d] = table.columns;
    expect(Array.from(a!.values as Float64Array)).toEqual([1, 2.5, Number.NaN]);
    expect(b!.values).toEqual(['x "y"', "multi\nline", "z"]);
    expect(Array.from(d!.values as Float64Array)).toEqual([Number.NaN, Number.NaN, 3]);
  });

  it("explains malformed files", () => {
    expect(thrown(() => parseCsv("a,b\n1\n")).message).toMatch(/data row 1 has 1 fields but the header has 2/);
    expect(thrown(() => parseCsv("a,a\n1,2\n")).message).toMatch(/twice/);
    expect(thrown(() => parseCsv("")).message).toMatch(/is empty/);
    expect(thrown(() => parseCsv('a\n"open\n')).message).toMatch(/never closed/);
  });

  it("reads Parquet through DuckDB", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lathe-parquet-"));
    try {
      const path = join(dir, "data.parquet");
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      await connection.run(
        `COPY (SELECT i::INTEGER AS n, (i * 1.25)::DECIMAL(10, 2) AS d, 'c' || (i % 3) AS s, ` +
          `CASE WHEN i = 3 THEN NULL ELSE i * 0.5 END AS x FROM range(6) t(i)) TO '${path}' (FORMAT parquet)`,
      );
      connection.closeSync();
      instance.closeSync();
      const table = await readTable(path);
      expect(table.rowCount).toBe(6);
      expect(table.columns.map((column) => [column.name, column.kind])).toEqual([
        ["n", "numeric"],
        ["d", "numeric"],
        ["s", "categorical"],
        ["x", "numeric"],
      ]);
      expect(Array.from(table.columns[3]!.values as Float64Array)).toEqual([0, 0.5, 1, Number.NaN, 2, 2.5]);
      expect(table.columns[2]!.values.slice(0, 3)).toEqual(["c0", "c1", "c2"]);
      const notParquet = join(dir, "bad.parquet");
      writeFileSync(notParquet, "a,b\n1,2\n");
      await expect(readTable(notParquet)).rejects.toThrow(/check that it is a Parquet file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing file", async () => {
    await expect(readTable("/nonexistent/file.csv")).rejects.toThrow(/does not exist/);
    await expect(readTable("/nonexistent/file.parquet")).rejects.toThrow(/does not exist/);
  });
});

describe("HTML report", () => {
  it("is self-contained, escapes names and plots every column", () => {
    const table = tableFromColumns({ "<b>x</b>": [1, 2, 3, 4], y: ["a", "b", "a", "c"] });
    const other = tableFromColumns({ "<b>x</b>": [2, 3, 4, 5], y: ["a", "a", "b", "b"] });
    const report = detectFeatureDrift(table, other);
    const html = renderDriftHtml(report, table, other);
    expect(html).not.toMatch(/<script|https?:\/\/|<link|@import/i);
    expect(html).not.toContain("<b>x</b>");
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62;");
    expect(html.match(/<svg /g)).toHaveLength(2);
  });
});

describe("lathe drift", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-drift-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const csv = (name: string, table: Table) => {
    const lines = [table.columns.map((column) => column.name).join(",")];
    for (let r = 0; r < table.rowCount; r++)
      lines.push(table.columns.map((column) => String(column.values[r] ?? "")).join(","));
    const path = join(dir, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };
  const referencePath = csv("reference.csv", reference);
  const currentPath = csv("current.csv", current);

  async function lathe(...args: string[]): Promise<string> {
    let output = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    try {
      const program = new Command().exitOverride();
      registerDriftCommand(program);
      await program.parseAsync(["node", "lathe", "drift", ...args]);
    } finally {
      spy.mockRestore();
    }
    return output;
  }

  it("prints JSON with the dataset verdict and writes an HTML report", async () => {
    const htmlPath = join(dir, "report.html");
    const json = JSON.parse(
      await lathe(referencePath, currentPath, "--json", "--categorical", "code", "--html", htmlPath),
    ) as { dataset_drift: boolean; columns: { column: string; test: string; drift: boolean }[] };
    expect(typeof json.dataset_drift).toBe("boolean");
    expect(json.columns.map((column) => column.column)).toEqual(["stable", "shifted", "city", "code"]);
    expect(readFileSync(htmlPath, "utf8")).toContain("<svg ");
  });

  it("runs mmd and the distance tests", async () => {
    const mmd = JSON.parse(
      await lathe(referencePath, currentPath, "--json", "--test", "mmd", "--permutations", "20"),
    ) as { columns: { test: string }[]; mmd: { permutations: number } };
    expect(mmd.columns[0]!.test).toBe("mmd");
    expect(mmd.mmd.permutations).toBe(20);
    const psi = JSON.parse(
      await lathe(referencePath, currentPath, "--json", "--test", "psi", "--threshold", "0.2"),
    ) as {
      columns: { threshold: number }[];
    };
    expect(psi.columns[0]!.threshold).toBe(0.2);
  });

  it("prints a table and the verdict on a terminal", async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
    try {
      const text = await lathe(referencePath, currentPath, "--columns", "stable,shifted");
      const lines = text.trim().split("\n");
      expect(lines[0]).toMatch(/^COLUMN\s+TYPE\s+TEST\s+STATISTIC\s+P-VALUE\/DISTANCE\s+THRESHOLD\s+DRIFT$/);
      expect(lines[1]).toMatch(/^stable\s+numeric\s+ks\s.*\sno$/);
      expect(lines[2]).toMatch(/^shifted\s+numeric\s+ks\s.*\syes$/);
      expect(lines[3]).toBe("Dataset drift: yes (1 of 2 columns drifted, share 0.5 ≥ 0.5).");
    } finally {
      if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });

  it("rejects bad flags with a LatheError", async () => {
    await expect(lathe(referencePath, currentPath, "--test", "t")).rejects.toThrow(/Unknown --test 't'/);
    await expect(lathe(referencePath, currentPath, "--correction", "holm")).rejects.toThrow(/bonferroni or fdr/);
    await expect(lathe(referencePath, currentPath, "--p-val", "1.5")).rejects.toThrow(/--p-val must be/);
    await expect(lathe(referencePath, currentPath, "--drift-share", "x")).rejects.toThrow(/--drift-share must be/);
    await expect(lathe(referencePath, currentPath, "--permutations", "-1")).rejects.toThrow(/whole number/);
  });
});

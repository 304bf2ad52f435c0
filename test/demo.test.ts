/**
 * `lathe demo --ci`: runs on a fresh folder and writes a summary whose figures come from the data.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "../src/demo/index.js";

describe("lathe demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-demo-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tracks the iris profile runs and writes the summary as JSON", async () => {
    const lines: string[] = [];
    const summary = await runDemo({ dir, ci: true, print: (line) => lines.push(line) });
    expect(summary.runs.map((run) => run.name)).toEqual(["profile-setosa", "profile-versicolor", "profile-virginica"]);
    // Iris has 50 flowers of each species; setosa's mean petal length is 1.462 cm.
    expect(summary.runs[0]?.metrics.rows).toBe(50);
    expect(summary.runs[0]?.metrics.petal_length_cm_mean).toBeCloseTo(1.462, 3);
    expect(lines.some((line) => line.includes("profile-virginica, profile-versicolor"))).toBe(true);
    const written = JSON.parse(readFileSync(join(dir, "demo-summary.json"), "utf8")) as { experimentId: string };
    expect(written.experimentId).toBe(summary.experimentId);
  });
});

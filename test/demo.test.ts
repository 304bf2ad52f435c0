/**
 * `lathe demo --ci`: on a fresh folder, versions the data, runs the tracked two-model pipeline,
 * registers the champion, serves it through normal then shifted traffic, and writes a summary
 * whose figures come from what really happened: drift flagged after the shift and not before,
 * no failed request.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "../src/demo/index.js";

describe("lathe demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-demo-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the lifecycle and writes the summary as JSON", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const summary = await runDemo({ dir, ci: true, print: (line) => lines.push(line) });
    expect(summary.runs.map((run) => run.stage).sort()).toEqual(["train_logreg", "train_rf"]);
    for (const run of summary.runs) expect(run.accuracy).toBeGreaterThan(0.8);
    expect(summary.champion).toMatchObject({ name: "iris", version: "1" });
    expect(summary.champion.accuracy).toBe(Math.max(...summary.runs.map((run) => run.accuracy)));
    expect(summary.traffic).toEqual({ requests: 20, failed: 0 });
    const [normal, shifted] = summary.drift;
    expect(normal).toMatchObject({ window: "in-distribution", dataset_drift: false, drifted: [] });
    expect(shifted!.window).toBe("shifted");
    expect(shifted!.drifted).toContain("petal_length_cm");
    expect(shifted!.min_p_value).toBeLessThan(0.001);
    expect(lines.filter((line) => /^\[\d\/5\]/.test(line))).toHaveLength(6);
    const written = JSON.parse(readFileSync(join(dir, "demo-summary.json"), "utf8")) as { champion: unknown };
    expect(written.champion).toEqual(summary.champion);
  });
});

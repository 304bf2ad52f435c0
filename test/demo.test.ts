/**
 * `lathe demo --ci`: on a fresh folder, runs the lifecycle and writes a summary whose figures come
 * from what really happened: drift flagged after the shift and not before, the accuracy drop seen
 * through feedback, the alert fired, a promotion recorded, zero failed requests during the swap,
 * and a rollback.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "../src/demo/index.js";

describe("lathe demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-demo-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the lifecycle and writes the summary as JSON", { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const summary = await runDemo({ dir, ci: true, print: (line) => lines.push(line) });
    expect(summary.validation.success).toBe(true);
    expect(summary.runs.map((run) => run.stage).sort()).toEqual(["train_logreg", "train_rf"]);
    for (const run of summary.runs) {
      expect(run.accuracy).toBeGreaterThan(0.8);
      expect(run.energy_kwh).toBeGreaterThan(0);
    }
    expect(summary.champion).toMatchObject({ name: "iris", version: "1" });
    expect(readFileSync(summary.champion.card, "utf8")).toMatch(/^---\nlicense:/);
    expect(summary.traffic.failed).toBe(0);
    const [normal, shifted, after] = summary.monitoring;
    expect(normal!.dataset_drift).toBe(false);
    expect(normal!.drift_p_value).toBeGreaterThan(0.01);
    expect(shifted!.drift_p_value).toBeLessThan(0.001);
    expect(shifted!.accuracy).toBeLessThan(normal!.accuracy);
    expect(summary.alerts).toContain("PetalLengthDrift");
    expect(summary.retrain.promoted).toBe(true);
    expect(summary.retrain.challenger_score).toBeGreaterThan(summary.retrain.champion_score);
    expect(summary.swap.failed).toBe(0);
    expect(summary.swap.served_version).toBe(summary.retrain.version);
    expect(after!.accuracy).toBeGreaterThan(shifted!.accuracy);
    expect(summary.rollback.alias_version).toBe("1");
    expect(lines.filter((line) => /^\[\d\/6\]/.test(line)).length).toBeGreaterThanOrEqual(6);
    const written = JSON.parse(readFileSync(join(dir, "demo-summary.json"), "utf8")) as { retrain: unknown };
    expect(written.retrain).toEqual(summary.retrain);
  });
});

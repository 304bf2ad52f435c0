import { describe, expect, it } from "vitest";
import type { Metric } from "../tracking/entities.js";
import { MetricBuffer, SerialQueue } from "./metric-buffer.js";

function point(step: number): Metric {
  return { key: "m", value: step, timestamp: 1, step };
}

/** A send that records batches and how many ran at once, answering after a tick. */
function recorder(fail?: (batch: Metric[]) => boolean) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (batch: Metric[]) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight--;
    if (fail?.(batch)) throw new Error("refused");
    batches.push(batch.map((metric) => metric.step));
  };
  return { batches, send, maxInFlight: () => maxInFlight };
}

describe("MetricBuffer", () => {
  it("sends full batches of at most 1000 as the buffer fills, one at a time and in order", async () => {
    const { batches, send, maxInFlight } = recorder();
    const buffer = new MetricBuffer(send, new SerialQueue(), () => undefined, { flushIntervalMs: 60_000 });
    for (let step = 0; step < 2500; step++) buffer.add(point(step));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000]);
    expect(buffer.pending).toBe(500);
    await buffer.flush();
    expect(batches.flat()).toEqual(Array.from({ length: 2500 }, (_, step) => step));
    expect(maxInFlight()).toBe(1);
  });

  it("sends a partial batch once the interval passes", async () => {
    const { batches, send } = recorder();
    const buffer = new MetricBuffer(send, new SerialQueue(), () => undefined, { flushIntervalMs: 10 });
    buffer.add(point(0));
    buffer.add(point(1));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batches).toEqual([[0, 1]]);
  });

  it("reports a failed batch with its size and carries on with the next (size triggers a send; a batch takes up to 1000)", async () => {
    const { batches, send } = recorder((batch) => batch[0]?.step === 0);
    const failures: [string, number][] = [];
    const buffer = new MetricBuffer(send, new SerialQueue(), (error, lost) => failures.push([String(error), lost]), {
      flushSize: 3,
      flushIntervalMs: 60_000,
    });
    for (let step = 0; step < 3; step++) buffer.add(point(step));
    // The first drain has taken its points by now; later points go in the next batch.
    await new Promise((resolve) => setImmediate(resolve));
    for (let step = 3; step < 7; step++) buffer.add(point(step));
    await buffer.flush();
    expect(failures).toEqual([["Error: refused", 3]]);
    expect(batches.flat()).toEqual([3, 4, 5, 6]);
  });
});

/**
 * Micro-batching: concurrent requests within the window run as one runtime call and get their own
 * rows back; a batch that fails is retried request by request, so only the bad request fails.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FeedData } from "../../src/models/onnx/feeds.js";
import { Batcher } from "../../src/serving/batcher.js";
import { FIXTURES, readExpected, startServing } from "./helpers.js";

function feed(values: number[]): FeedData {
  return { type: "float32", data: new Float32Array(values), dims: [values.length, 1] };
}

/** A fake model: doubles each row; refuses any batch holding a negative value. */
function fakeRun(calls: number[]) {
  return async (input: FeedData) => {
    calls.push(input.dims[0] ?? 0);
    const values = Array.from(input.data as Float32Array);
    if (values.some((value) => value < 0)) throw new Error("negative input");
    return { out: values.map((value) => [value * 2]) };
  };
}

describe("Batcher", () => {
  it("joins requests that arrive within the window and splits the outputs back", async () => {
    const calls: number[] = [];
    const batcher = new Batcher(fakeRun(calls), { windowMs: 20, maxBatchRows: 100 });
    const results = await Promise.all([
      batcher.submit(feed([1])),
      batcher.submit(feed([2, 3])),
      batcher.submit(feed([4])),
    ]);
    expect(calls).toEqual([4]);
    expect(results).toEqual([{ out: [[2]] }, { out: [[4], [6]] }, { out: [[8]] }]);
  });

  it("starts a batch as soon as it is full, and keeps batches under the row limit", async () => {
    const calls: number[] = [];
    const batcher = new Batcher(fakeRun(calls), { windowMs: 10_000, maxBatchRows: 3 });
    const results = await Promise.all([
      batcher.submit(feed([1, 2])),
      batcher.submit(feed([3, 4])),
      batcher.submit(feed([5])),
    ]);
    expect(calls).toEqual([2, 3]);
    expect(results.map((result) => result.out)).toEqual([[[2], [4]], [[6], [8]], [[10]]]);
  });

  it("runs each request alone with a zero window", async () => {
    const calls: number[] = [];
    const batcher = new Batcher(fakeRun(calls), { windowMs: 0, maxBatchRows: 100 });
    await Promise.all([batcher.submit(feed([1])), batcher.submit(feed([2]))]);
    expect(calls).toEqual([1, 1]);
  });

  it("fails only the request whose rows fail when a batch fails", async () => {
    const calls: number[] = [];
    const batcher = new Batcher(fakeRun(calls), { windowMs: 20, maxBatchRows: 100 });
    const results = await Promise.allSettled([
      batcher.submit(feed([1])),
      batcher.submit(feed([-1])),
      batcher.submit(feed([3])),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseFulfilledResult<Record<string, unknown>>).value).toEqual({ out: [[6]] });
    expect(calls).toEqual([3, 1, 1, 1]);
  });
});

describe("batching in the server", () => {
  it("predicts concurrent requests together, each getting its own answer", async () => {
    const expected = readExpected("iris_tree");
    const serving = await startServing(join(FIXTURES, "onnx", "iris_tree.onnx"), { batchWindowMs: 20 });
    try {
      const replies = await Promise.all(expected.rows.map((row) => serving.post("/invocations", { instances: [row] })));
      expect(replies.map((reply) => (reply.body.predictions as string[])[0])).toEqual(expected.label);
      const metrics = await (await fetch(`${serving.url}/metrics`)).text();
      const count = Number(/lathe_serve_batch_size_count\{model="iris_tree"\} (\d+)/.exec(metrics)?.[1]);
      const sum = Number(/lathe_serve_batch_size_sum\{model="iris_tree"\} (\d+)/.exec(metrics)?.[1]);
      expect(sum).toBe(expected.rows.length);
      expect(count).toBeLessThan(expected.rows.length);
    } finally {
      await serving.close();
    }
  });
});

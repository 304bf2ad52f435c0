/**
 * The model holder: new requests go to the swapped-in model at once, requests holding the old one
 * finish on it, and the old model is closed only when the last of them is done.
 */
import { describe, expect, it } from "vitest";
import type { ServedModel } from "../../src/serving/model.js";
import { ModelHolder } from "../../src/serving/model-holder.js";

function fakeModel(version: string, closed: string[]): ServedModel {
  return {
    version,
    close: async () => {
      closed.push(version);
    },
  } as unknown as ServedModel;
}

describe("ModelHolder", () => {
  it("swaps atomically and closes the old model after its leases are returned", async () => {
    const closed: string[] = [];
    const holder = new ModelHolder(fakeModel("1", closed));
    const first = holder.acquire();
    const second = holder.acquire();
    holder.swap(fakeModel("2", closed));
    expect(holder.acquire().model.version).toBe("2");
    expect(first.model.version).toBe("1");
    first.release();
    first.release();
    await Promise.resolve();
    expect(closed).toEqual([]);
    expect(holder.retiringCount).toBe(1);
    second.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(["1"]);
    expect(holder.retiringCount).toBe(0);
  });

  it("closes an idle old model at once, and everything on close", async () => {
    const closed: string[] = [];
    const holder = new ModelHolder(fakeModel("1", closed));
    holder.swap(fakeModel("2", closed));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(["1"]);
    await holder.close();
    expect(closed).toEqual(["1", "2"]);
    expect(() => holder.acquire()).toThrow(/not loaded/);
  });
});

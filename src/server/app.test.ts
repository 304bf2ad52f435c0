import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { RegistryStore } from "../registry/store.js";
import type { TrackingStore } from "../tracking/store.js";
import { buildApp, handlersSettled } from "./app.js";

describe("handlersSettled", () => {
  it("waits for a handler whose client hung up, after app.close() has returned", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      started = resolve;
    });
    const store = {
      async getRun() {
        started();
        await gate;
        throw new Error("the run is gone");
      },
    } as unknown as TrackingStore;
    const app = await buildApp({
      store,
      registry: {} as RegistryStore,
      artifactsDestination: undefined,
      maxRequestBytes: 1024,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const call = request({ host: "127.0.0.1", port, path: `/api/2.0/mlflow/runs/get?run_id=${"a".repeat(32)}` });
    call.on("error", () => {});
    call.end();
    await inHandler;
    call.destroy();
    await app.close();
    let settled = false;
    const waiting = handlersSettled(app).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    release();
    await waiting;
    expect(settled).toBe(true);
    await expect(handlersSettled(app)).resolves.toBeUndefined();
  });
});

/**
 * The server side of the web UI, without a browser: the static files (content types, caching, no
 * path outside the build, the page shown when the UI is not built), `/get-artifact`, and the
 * ajax-only `lathe/` routes — filter checking, alias rollback, a version's model card and the
 * pipeline view.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { resolveServerSettings } from "../../src/server/settings.js";
import { registerUi } from "../../src/server/ui.js";
import { openDatabase } from "../../src/tracking/store/database.js";
import { SqlTrackingStore } from "../../src/tracking/store/sql-store.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { removeRepo } from "../pipeline/helpers.js";
import { seedPipeline, tinyPng } from "./seed.js";

const AJAX = "/ajax-api/2.0/mlflow";

describe("static UI files", () => {
  let dir: string;
  let store: SqlTrackingStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lathe-ui-static-"));
    mkdirSync(join(dir, "built", "assets"), { recursive: true });
    writeFileSync(join(dir, "built", "index.html"), "<!doctype html><title>Lathe</title>");
    writeFileSync(join(dir, "built", "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dir, "built", "assets", "index-abc123.css"), "body{}");
    writeFileSync(join(dir, "secret.txt"), "not for the web");
    store = await SqlTrackingStore.open(await openDatabase(`sqlite:///${join(dir, "mlruns.db")}`), {
      defaultArtifactRoot: join(dir, "artifacts"),
    });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function appWith(uiDirectory: string) {
    const app = Fastify();
    await registerUi(app, { store, artifactsDestination: undefined, uiDirectory });
    return app;
  }

  it("serves the page uncached and hashed assets as immutable, with their content types", async () => {
    const app = await appWith(join(dir, "built"));
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.body).toContain("<title>Lathe</title>");
    const script = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(script.statusCode).toBe(200);
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const style = await app.inject({ method: "GET", url: "/assets/index-abc123.css" });
    expect(style.headers["content-type"]).toBe("text/css; charset=utf-8");
    await app.close();
  });

  it("serves nothing outside the files found at startup", async () => {
    const app = await appWith(join(dir, "built"));
    for (const url of [
      "/assets/missing.js",
      "/assets/../../secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
    ]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain("not for the web");
    }
    await app.close();
  });

  it("says how to build the UI when it is not built", async () => {
    const app = await appWith(join(dir, "nowhere"));
    const response = await app.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(503);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.body).toContain("npm run build:ui");
    await app.close();
  });
});

describe("UI routes on a running server", () => {
  let server: TestServer;
  let client: LatheClient;
  let runId: string;
  let project: string;

  beforeAll(async () => {
    project = await seedPipeline();
    server = await startTestServer({ project });
    client = new LatheClient({ trackingUri: server.url });
    const run = await client.startRun({ experiment: "ui-routes", recordEnvironment: false });
    const files = join(server.dir, "files");
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, "chart.png"), tinyPng());
    writeFileSync(join(files, "page.html"), "<p>hi</p>");
    await run.logArtifact(join(files, "chart.png"), "plots");
    await run.logArtifact(join(files, "page.html"));
    await run.end();
    runId = run.id;
    await client.createRegisteredModel("m");
    for (let index = 0; index < 3; index++) await client.createModelVersion("m", `runs:/${runId}/model`, { runId });
  });
  afterAll(async () => {
    await server.close();
    await removeRepo(project);
  });

  it("GET /get-artifact streams one file, sandboxed", async () => {
    const image = await fetch(`${server.url}/get-artifact?run_uuid=${runId}&path=plots/chart.png`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await image.arrayBuffer())).toEqual(tinyPng());
    const html = await fetch(`${server.url}/get-artifact?run_uuid=${runId}&path=page.html`);
    expect(html.headers.get("content-security-policy")).toBe("sandbox");
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await html.text()).toBe("<p>hi</p>");
  });

  it("GET /get-artifact refuses paths that leave the run and names a missing parameter", async () => {
    const outside = await server.call("GET", `/get-artifact?run_uuid=${runId}&path=../../../etc/passwd`);
    expect(outside.status).toBe(400);
    expect(outside.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const missing = await server.call("GET", `/get-artifact?run_uuid=${runId}`);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe("Missing value for required parameter 'path'.");
    const absent = await server.call("GET", `/get-artifact?run_uuid=${runId}&path=nope.txt`);
    expect(absent.status).toBe(404);
  });

  it("lathe/search/check-filter answers where a filter goes wrong", async () => {
    expect(await server.ok("GET", `${AJAX}/lathe/search/check-filter`, { filter: "metrics.acc > 0.5" })).toEqual({
      valid: true,
    });
    const bad = await server.ok("GET", `${AJAX}/lathe/search/check-filter`, { filter: "metrics.acc >> 0.5" });
    expect(bad.valid).toBe(false);
    expect(bad.position).toBe(12);
    expect(bad.message).toMatch(/at position 12/);
    const entity = await server.ok("GET", `${AJAX}/lathe/search/check-filter`, { filter: "x", entity: "cats" });
    expect(entity.message).toMatch(/Unknown entity 'cats'/);
    // Only on the UI's prefix, as MLflow's ajax-only routes.
    const api = await server.call("GET", "lathe/search/check-filter", { filter: "x" });
    expect(api.status).toBe(404);
  });

  it("lathe/registry/rollback moves an alias back and refuses without history", async () => {
    const message = await server.fails(
      "POST",
      `${AJAX}/lathe/registry/rollback`,
      { name: "m", alias: "prod" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(message).toBe("Model 'm' has no history for alias 'prod': promote a version to it first.");
    await client.setRegisteredModelAlias("m", "prod", "1");
    const only = await server.fails(
      "POST",
      `${AJAX}/lathe/registry/rollback`,
      { name: "m", alias: "prod" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(only).toMatch(/has pointed only at version 1/);
    await client.setRegisteredModelAlias("m", "prod", "3");
    const result = await server.ok("POST", `${AJAX}/lathe/registry/rollback`, { name: "m", alias: "prod" });
    expect(result).toMatchObject({ name: "m", alias: "prod", version: "1", previous: "3" });
    expect((await client.getModelVersionByAlias("m", "prod")).version).toBe("1");
    const events = await client.getRegistryHistory("m");
    expect(events.at(-1)).toMatchObject({ kind: "alias", alias: "prod", from: "3", to: "1" });
  });

  it("lathe/registry/model-card answers a version's card with its run's metrics", async () => {
    const run = await client.startRun({ experiment: "ui-routes", runName: "card-run", recordEnvironment: false });
    await run.logParams({ algo: "tree", depth: 4 });
    run.logMetrics({ accuracy: 0.9375, f1_macro: 0.91 }, 0);
    await run.end();
    await client.createRegisteredModel("carded", { description: "Sorts irises by species." });
    await client.createModelVersion("carded", `runs:/${run.id}/model`, { runId: run.id });
    await client.createModelVersion("carded", `runs:/${run.id}/model`, { runId: run.id });
    const { card } = await server.ok("GET", `${AJAX}/lathe/registry/model-card`, {
      name: "carded",
      version: "2",
      run_id: run.id,
    });
    expect(typeof card).toBe("string");
    const text = card as string;
    expect(text.startsWith("---\nlicense: other\n")).toBe(true);
    expect(text).toContain("# carded (version 2)");
    expect(text).toContain("Sorts irises by species.");
    expect(text).toContain("| Registered model | carded |");
    expect(text).toContain("| Version | 2 |");
    expect(text).toContain(`| Run | ${run.id} (card-run) |`);
    expect(text).toContain("| accuracy | 0.9375 |");
    expect(text).toContain("| f1_macro | 0.91 |");
    expect(text).toContain("| depth | 4 |");
    // The source run must be named (access control checks its experiment too).
    const unnamed = await server.fails(
      "GET",
      `${AJAX}/lathe/registry/model-card`,
      { name: "carded", version: "2" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(unnamed).toBe(
      `Version 2 of 'carded' comes from run '${run.id}': pass run_id=${run.id} to see its model card.`,
    );
    // Only on the UI's prefix.
    const api = await server.call("GET", "lathe/registry/model-card", { name: "carded", version: "2" });
    expect(api.status).toBe(404);
  });

  it("lathe/registry/model-card names an unknown version or model and a malformed version", async () => {
    const version = await server.fails(
      "GET",
      `${AJAX}/lathe/registry/model-card`,
      { name: "m", version: "9" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    expect(version).toBe(
      "No model card for version 9 of 'm': Model Version (name=m, version=9) not found. Open a version listed on the model's Registry page.",
    );
    const model = await server.fails(
      "GET",
      `${AJAX}/lathe/registry/model-card`,
      { name: "nobody", version: "1" },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    expect(model).toMatch(/^No model card for version 1 of 'nobody': .*nobody.* not found/);
    const malformed = await server.fails(
      "GET",
      `${AJAX}/lathe/registry/model-card`,
      { name: "m", version: "latest" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(malformed).toBe("Model version must be an integer, got 'latest'");
    const missing = await server.fails(
      "GET",
      `${AJAX}/lathe/registry/model-card`,
      { name: "m" },
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect(missing).toBe("Missing value for required parameter 'version'.");
  });

  it("lathe/pipeline answers the project's stages, edges and status", async () => {
    const view = await server.ok("GET", `${AJAX}/lathe/pipeline`);
    expect(view.enabled).toBe(true);
    expect(view.edges).toEqual([
      ["prepare", "train"],
      ["train", "evaluate"],
    ]);
    const stages = view.stages as { address: string; state: string; cmd: string[] }[];
    expect(stages.map((stage) => [stage.address, stage.state])).toEqual([
      ["prepare", "up to date"],
      ["train", "changed"],
      ["evaluate", "never run"],
    ]);
    expect(stages[0]!.cmd).toEqual(["cp raw.txt prepared.txt"]);
  });
});

describe("lathe/pipeline without --project", () => {
  it("says how to turn the page on", async () => {
    const server = await startTestServer();
    try {
      const view = await server.ok("GET", `${AJAX}/lathe/pipeline`);
      expect(view.enabled).toBe(false);
      expect(view.message).toMatch(/lathe server --project DIR/);
    } finally {
      await server.close();
    }
  });
});

describe("the project setting", () => {
  it("comes from --project, LATHE_PROJECT or lathe.yaml's server.project, and is unset by default", () => {
    expect(resolveServerSettings({}, {}, {}).project).toBeUndefined();
    expect(resolveServerSettings({}, { server: { project: "from-file" } }, {}).project).toBe("from-file");
    expect(resolveServerSettings({}, {}, { LATHE_PROJECT: "from-env" }).project).toBe("from-env");
    expect(resolveServerSettings({ project: "from-flag" }, {}, { LATHE_PROJECT: "from-env" }).project).toBe(
      "from-flag",
    );
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { loadModelFromUri, logModel } from "../../src/models/log.js";
import { fetchModel } from "../../src/serving/model-source.js";
import { fileTree, makeArtifactFolder, writeFile } from "../helpers/artifact-files.js";
import { spawnServer, waitForExit } from "../helpers/process-server.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { S3_ARTIFACTS_HINT, type S3TestEnv, s3Available, startS3TestEnv } from "./s3-env.js";

const FIXTURE = join(import.meta.dirname, "../fixtures/mlflow-onnx-model");

if (!s3Available) console.warn(S3_ARTIFACTS_HINT);

let work: string;

/** `1/<run_id>/artifacts` from `mlflow-artifacts:/1/<run_id>/artifacts` or `s3://bucket/root/1/<run_id>/artifacts`. */
function runPath(artifactUri: string): string {
  return /(\d+\/[0-9a-f]+\/artifacts)$/.exec(artifactUri)?.[1] ?? "";
}

describe.skipIf(!s3Available)("lathe server with artifacts in S3", () => {
  let s3: S3TestEnv;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "lathe-s3-server-"));
    s3 = await startS3TestEnv();
  });

  afterAll(async () => {
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe("--artifacts-destination s3://lathe-proxy/mlartifacts (proxied)", () => {
    let server: TestServer;
    let client: LatheClient;

    beforeAll(async () => {
      await s3.createBucket("lathe-proxy");
      server = await startTestServer({ artifactsDestination: "s3://lathe-proxy/mlartifacts" });
      client = new LatheClient({ trackingUri: server.url });
    });

    afterAll(async () => {
      await server?.close();
    });

    it("logs, lists, downloads and deletes artifacts that live in the bucket", async () => {
      const folder = makeArtifactFolder(work, "proxied");
      const run = await client.startRun({ experiment: "s3-proxied", recordEnvironment: false });
      expect(run.artifactUri).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]+\/artifacts$/);
      await run.logArtifact(join(folder, "notes.txt"));
      await run.logArtifacts(folder, "flat");
      await run.end();

      const base = `mlartifacts/${runPath(run.artifactUri)}`;
      expect(await s3.keys("lathe-proxy", `${base}/`)).toEqual([
        `${base}/flat/nested/deep/config.json`,
        `${base}/flat/notes.txt`,
        `${base}/flat/weights.bin`,
        `${base}/notes.txt`,
      ]);
      expect(await client.listArtifacts(run.id)).toEqual([
        { path: "flat", is_dir: true },
        { path: "notes.txt", is_dir: false, file_size: 5 },
      ]);
      const listed = await server.ok("GET", "artifacts/list", { run_id: run.id, path: "flat" });
      expect(listed.root_uri).toBe(run.artifactUri);
      expect(listed.files).toEqual([
        { path: "flat/nested", is_dir: true },
        { path: "flat/notes.txt", is_dir: false, file_size: 5 },
        { path: "flat/weights.bin", is_dir: false, file_size: 70_000 },
      ]);

      const downloaded = await client.downloadArtifacts(run.id, "flat", join(work, "proxied-down"));
      expect(fileTree(downloaded)).toEqual(fileTree(folder));

      const proxied = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${runPath(run.artifactUri)}`;
      const response = await fetch(`${proxied}/flat/notes.txt`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe("5");
      expect(await response.text()).toBe("hello");

      expect((await fetch(`${proxied}/flat`, { method: "DELETE" })).status).toBe(200);
      expect(await s3.keys("lathe-proxy", `${base}/`)).toEqual([`${base}/notes.txt`]);
      expect(await client.listArtifacts(run.id)).toEqual([{ path: "notes.txt", is_dir: false, file_size: 5 }]);
      const gone = await fetch(`${proxied}/flat/notes.txt`);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { error_code: string }).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });

    it("refuses traversal through the proxy without touching the bucket", async () => {
      const before = await s3.keys("lathe-proxy");
      for (const path of ["..%2f..%2fescape.txt", "1/%252e%252e/%252e%252e/x", "a%5c..%5cx"]) {
        const url = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`;
        expect((await fetch(url, { method: "PUT", body: "PWNED" })).status).toBe(400);
        expect((await fetch(url)).status).toBe(400);
        expect((await fetch(url, { method: "DELETE" })).status).toBe(400);
      }
      expect(await s3.keys("lathe-proxy")).toEqual(before);
    });

    it("loads a model logged through the proxy via models:/", async () => {
      const run = await client.startRun({ experiment: "s3-proxied", recordEnvironment: false });
      const { modelUri } = await logModel(client, run.id, FIXTURE);
      await run.end();
      await client.createRegisteredModel("proxied-model");
      const version = await client.createModelVersion("proxied-model", modelUri, { runId: run.id });
      const loaded = await loadModelFromUri(`models:/proxied-model/${version.version}`, client, {
        destDir: join(work, "proxied-model"),
      });
      expect(readFileSync(loaded.modelPath)).toEqual(readFileSync(join(FIXTURE, "model.onnx")));
      const base = `mlartifacts/${runPath(run.artifactUri)}/model`;
      expect(await s3.keys("lathe-proxy", `${base}/`)).toContain(`${base}/model.onnx`);
    });
  });

  describe("--default-artifact-root s3://lathe-direct/root with --no-serve-artifacts (direct)", () => {
    let server: TestServer;
    let client: LatheClient;

    beforeAll(async () => {
      await s3.createBucket("lathe-direct");
      server = await startTestServer({ serveArtifacts: false, defaultArtifactRoot: "s3://lathe-direct/root" });
      client = new LatheClient({ trackingUri: server.url });
    });

    afterAll(async () => {
      await server?.close();
    });

    it("gives runs s3:// artifact URIs and the client writes to the bucket itself", async () => {
      const folder = makeArtifactFolder(work, "direct");
      const run = await client.startRun({ experiment: "s3-direct", recordEnvironment: false });
      expect(run.artifactUri).toMatch(/^s3:\/\/lathe-direct\/root\/\d+\/[0-9a-f]+\/artifacts$/);
      await run.logArtifact(folder, "kept");
      await run.end();
      // The proxy is off, so these objects can only have come from the client.
      expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/x`)).status).toBe(503);
      const base = `root/${runPath(run.artifactUri)}`;
      expect(await s3.keys("lathe-direct", `${base}/`)).toEqual([
        `${base}/kept/direct/nested/deep/config.json`,
        `${base}/kept/direct/notes.txt`,
        `${base}/kept/direct/weights.bin`,
      ]);
      // The server lists the bucket with its own credentials.
      const listed = await server.ok("GET", "artifacts/list", { run_id: run.id, path: "kept/direct" });
      expect(listed.root_uri).toBe(run.artifactUri);
      expect(listed.files).toEqual([
        { path: "kept/direct/nested", is_dir: true },
        { path: "kept/direct/notes.txt", is_dir: false, file_size: 5 },
        { path: "kept/direct/weights.bin", is_dir: false, file_size: 70_000 },
      ]);
      const downloaded = await client.downloadArtifacts(run.id, "", join(work, "direct-down"));
      expect(fileTree(join(downloaded, "kept", "direct"))).toEqual(fileTree(folder));
    });

    it("logs a model to S3 and loads it back via models:/ (run source and s3:// source)", async () => {
      const run = await client.startRun({ experiment: "s3-direct", recordEnvironment: false });
      const { modelUri } = await logModel(client, run.id, FIXTURE);
      await run.end();
      const base = `root/${runPath(run.artifactUri)}/model`;
      expect(await s3.keys("lathe-direct", `${base}/`)).toEqual(
        Object.keys(fileTree(FIXTURE))
          .map((name) => `${base}/${name}`)
          .sort(),
      );

      await client.createRegisteredModel("s3-model");
      const fromRun = await client.createModelVersion("s3-model", modelUri, { runId: run.id });
      await client.setRegisteredModelAlias("s3-model", "champion", fromRun.version);
      const byAlias = await loadModelFromUri("models:/s3-model@champion", client, { destDir: join(work, "alias") });
      expect(byAlias.source.artifactUri).toBe(`${run.artifactUri}/model`);
      expect(readFileSync(byAlias.modelPath)).toEqual(readFileSync(join(FIXTURE, "model.onnx")));
      expect(byAlias.mlmodel.run_id).toBe(run.id);

      const fromS3 = await client.createModelVersion("s3-model", `${run.artifactUri}/model`, { runId: run.id });
      const byVersion = await loadModelFromUri(`models:/s3-model/${fromS3.version}`, client, {
        destDir: join(work, "by-version"),
      });
      expect(byVersion.source.artifactUri).toBe(`${run.artifactUri}/model`);
      expect(fileTree(byVersion.dir)["model.onnx"]).toBe(readFileSync(join(FIXTURE, "model.onnx")).toString("base64"));

      // What `lathe serve models:/…` does first.
      const fetched = await fetchModel("models:/s3-model@champion", client);
      try {
        expect(fetched.version).toBe(fromRun.version);
        expect(readdirSync(fetched.path)).toContain("model.onnx");
      } finally {
        await fetched.cleanup();
      }
    });

    it("says which bucket is missing when a run's artifact root points at none", async () => {
      const experiment = await client.createExperiment("nowhere", { artifactLocation: "s3://lathe-missing/x" });
      const run = await client.createRun({ experimentId: experiment });
      writeFile(join(work, "lonely.txt"), "x");
      await expect(client.uploadArtifact(run.info.run_id, join(work, "lonely.txt"))).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringContaining('"lathe-missing"'),
      });
      const listed = await server.call("GET", "artifacts/list", { run_id: run.info.run_id });
      expect(listed.status).toBe(500);
      expect(String(listed.body.message)).toContain('"lathe-missing"');
    });
  });

  describe("the lathe server command", () => {
    it("serves --artifacts-destination s3://… from its own process and environment", async () => {
      await s3.createBucket("lathe-process");
      const dir = mkdtempSync(join(tmpdir(), "lathe-s3-process-"));
      const server = await spawnServer(
        [
          "--backend-store-uri",
          `sqlite:///${join(dir, "mlruns.db")}`,
          "--artifacts-destination",
          "s3://lathe-process/store",
        ],
        s3.env,
      );
      try {
        const client = new LatheClient({ trackingUri: server.url });
        const run = await client.startRun({ experiment: "process", recordEnvironment: false });
        writeFile(join(work, "from-process.txt"), "through the proxy");
        await run.logArtifact(join(work, "from-process.txt"), "logs");
        await run.end();
        const key = `store/${runPath(run.artifactUri)}/logs/from-process.txt`;
        expect(await s3.keys("lathe-process")).toEqual([key]);
        expect(await client.listArtifacts(run.id, "logs")).toEqual([
          { path: "logs/from-process.txt", is_dir: false, file_size: 17 },
        ]);
      } finally {
        server.child.kill("SIGTERM");
        await waitForExit(server.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.each([
      [["--artifacts-destination", "gs://bucket/x"], /--artifacts-destination 'gs:\/\/bucket\/x' uses scheme 'gs:'/],
      [
        ["--default-artifact-root", "s3://bad bucket/x"],
        /--default-artifact-root 's3:\/\/bad bucket\/x' is not usable/,
      ],
    ])("refuses to start with %j, naming the flag", async (args, message) => {
      const dir = mkdtempSync(join(tmpdir(), "lathe-s3-refused-"));
      try {
        const failure = await spawnServer(["--backend-store-uri", `sqlite:///${join(dir, "mlruns.db")}`, ...args]).then(
          () => new Error("the server started"),
          (error: unknown) => error as Error,
        );
        expect(failure.message).toMatch(message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

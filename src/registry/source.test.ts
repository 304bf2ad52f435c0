/**
 * Unit tests of model version source validation: the §7 replay shapes (reference/mlflow.md) are all
 * refused, local sources only pass inside the given run's own artifact folder (symbolic links
 * resolved), and the legitimate forms are classified for the store.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheError, notFound } from "../core/errors.js";
import { validateModelVersionSource } from "./source.js";

const RUN = "0123456789abcdef0123456789abcdef";
let root: string;
let runDir: string;

/** The run's artifacts are in a local folder; any other run is unknown. */
async function lookup(runId: string): Promise<string> {
  if (runId !== RUN) throw notFound(`Run with id=${runId} not found`);
  return pathToFileURL(runDir).href;
}

async function refusal(source: string, runId?: string): Promise<LatheError> {
  try {
    await validateModelVersionSource(source, runId, lookup);
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    return error as LatheError;
  }
  throw new Error(`expected '${source}' to be refused`);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lathe-source-"));
  runDir = join(root, "mlruns", "1", RUN, "artifacts");
  mkdirSync(join(runDir, "model"), { recursive: true });
  mkdirSync(join(root, "secret"), { recursive: true });
  symlinkSync(join(root, "secret"), join(runDir, "escape"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("validateModelVersionSource", () => {
  it.each([
    "/etc",
    "file:///etc/passwd",
    "file:/etc",
    "etc/passwd",
    "//proc/self/root",
    "mlflow-artifacts://h/../../",
    "http://h/api/2.0/mlflow-artifacts/artifacts/../../",
    "..%2f..%2f",
    "%252e%252e%252f",
    "%00",
    "runs:/x/model%00",
    "\\..\\..\\",
    "s3://bucket/a\\..\\..\\b",
    ";/../",
    "#/../",
    "https://h/model#/../../etc",
    "?x=/../",
    "s3:/b/../../x",
    "mlflow-artifacts:/1/%2e%2e/%2e%2e/etc",
    "mlflow-artifacts:/..%252f..%252fetc",
    `runs:/${RUN}/../../x`,
    "models:/iris/1/../../x",
    "http://h/%ef%bc%8e%ef%bc%8e/x",
  ])("refuses %j with INVALID_PARAMETER_VALUE (with or without run_id)", async (source) => {
    expect((await refusal(source)).code).toBe("INVALID_PARAMETER_VALUE");
    expect((await refusal(source, RUN)).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("refuses a local path without run_id, naming what to do", async () => {
    const error = await refusal(join(runDir, "model"));
    expect(error.message).toMatch(/no run_id was given.*the run_id request parameter has to be specified/);
  });

  it("refuses local paths outside the run's artifact folder", async () => {
    for (const source of [root, join(root, "secret"), pathToFileURL(join(root, "mlruns")).href, "relative/path"]) {
      expect((await refusal(source, RUN)).message).toMatch(/outside the artifact directory of run/);
    }
  });

  it("refuses a symbolic link that leads out of the run's folder", async () => {
    expect((await refusal(join(runDir, "escape", "key"), RUN)).message).toMatch(/outside the artifact directory/);
  });

  it("refuses a file: URI naming another host, and a run that does not exist", async () => {
    expect((await refusal("file://evil.example/share/model", RUN)).code).toBe("INVALID_PARAMETER_VALUE");
    expect((await refusal(join(runDir, "model"), "f".repeat(32))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("accepts a local path or file: URI inside the run's folder, even one not yet written", async () => {
    expect(await validateModelVersionSource(join(runDir, "model"), RUN, lookup)).toMatchObject({ kind: "local" });
    expect(await validateModelVersionSource(pathToFileURL(runDir).href, RUN, lookup)).toMatchObject({ kind: "local" });
    expect(await validateModelVersionSource(join(runDir, "later", "model"), RUN, lookup)).toMatchObject({
      kind: "local",
    });
  });

  it("classifies the remote forms", async () => {
    const check = (source: string) => validateModelVersionSource(source, undefined, lookup);
    expect(await check(`runs:/${RUN}/model`)).toEqual({ kind: "run", runId: RUN, path: "model" });
    expect(await check("models:/iris/1")).toEqual({ kind: "model" });
    expect(await check(`mlflow-artifacts:/1/${RUN}/artifacts/model`)).toEqual({
      kind: "proxied",
      path: `1/${RUN}/artifacts/model`,
    });
    expect(await check("mlflow-artifacts://host:5000/1/x")).toEqual({ kind: "proxied", path: "1/x" });
    expect(await check("s3://bucket/models/iris")).toEqual({ kind: "remote", scheme: "s3" });
    expect(await check("https://example.com/model.onnx")).toEqual({ kind: "remote", scheme: "https" });
  });

  it("refuses an empty and an over-long source", async () => {
    expect((await refusal("")).message).toMatch(/Missing value for required parameter 'source'/);
    expect((await refusal(`s3://b/${"x".repeat(5000)}`)).message).toMatch(/longer than 4096/);
  });
});

/**
 * Unit tests of the model URI resolver against a fake `RegistryLookup`: every accepted form, the
 * errors for malformed URIs (naming the accepted forms) and for what does not exist, and download
 * locations that are themselves `runs:/` URIs.
 */
import { describe, expect, it } from "vitest";
import { invalidParameter, LatheError, notFound } from "../core/errors.js";
import type { ModelVersion } from "./entities.js";
import { parseModelUri, type RegistryLookup, resolveModelUri } from "./uri.js";

const RUN = "0123456789abcdef0123456789abcdef";

function version(name: string, number: number, stage: string, runId = RUN): ModelVersion {
  return {
    name,
    version: String(number),
    creation_timestamp: 1,
    last_updated_timestamp: 1,
    current_stage: stage,
    source: `runs:/${runId}/model`,
    run_id: runId,
    status: "READY",
  };
}

/** iris: v1 Archived, v2 Production, v3 Staging, v4 None; champion → 2; v4 stored on S3. */
function fakeLookup(): RegistryLookup & { calls: string[] } {
  const versions = [
    version("iris", 1, "Archived"),
    version("iris", 2, "Production"),
    version("iris", 3, "Staging"),
    version("iris", 4, "None", ""),
  ];
  const calls: string[] = [];
  const find = (name: string, number: string) => {
    const found = versions.find((item) => item.name === name && item.version === number);
    if (!found) throw notFound(`Model Version (name=${name}, version=${number}) not found`);
    return found;
  };
  return {
    calls,
    async getModelVersion(name, number) {
      calls.push(`get ${name} ${number}`);
      return find(name, number);
    },
    async getLatestVersions(name, stages) {
      calls.push(`latest ${name} ${(stages ?? []).join(",")}`);
      if (name !== "iris") throw notFound(`Registered Model with name=${name} not found`);
      return versions.filter((item) => !stages || stages.length === 0 || stages.includes(item.current_stage));
    },
    async getModelVersionByAlias(name, alias) {
      calls.push(`alias ${name} ${alias}`);
      if (name === "iris" && alias === "champion") return find("iris", "2");
      throw invalidParameter(`Registered model alias ${alias} not found.`);
    },
    async getModelVersionDownloadUri(name, number) {
      calls.push(`download ${name} ${number}`);
      return number === "4" ? "s3://bucket/models/iris/4" : find(name, number).source!;
    },
    async getRun(runId) {
      calls.push(`run ${runId}`);
      if (runId !== RUN) throw notFound(`Run with id=${runId} not found`);
      return { info: { run_id: RUN, artifact_uri: `mlflow-artifacts:/1/${RUN}/artifacts` } };
    },
  };
}

describe("parseModelUri", () => {
  it("reads every accepted form", () => {
    expect(parseModelUri("models:/iris/3")).toEqual({ kind: "version", name: "iris", version: "3" });
    expect(parseModelUri("models:/iris/production")).toEqual({ kind: "stage", name: "iris", stage: "Production" });
    expect(parseModelUri("models:/iris/Latest")).toEqual({ kind: "latest", name: "iris" });
    expect(parseModelUri("models:/iris@champion")).toEqual({ kind: "alias", name: "iris", alias: "champion" });
    expect(parseModelUri(`runs:/${RUN}/model/sub`)).toEqual({ kind: "run", runId: RUN, path: "model/sub" });
    expect(parseModelUri(`runs:/${RUN}`)).toEqual({ kind: "run", runId: RUN, path: "" });
  });

  it.each([
    "",
    "iris/3",
    "models:iris/3",
    "models://host/iris/3",
    "models:/iris",
    "models:/iris/",
    "models:/iris/3/extra",
    "models:/iris/Shipping",
    "models:/iris@",
    "models:/@champion",
    "models:/iris/3?x=1",
    "models:/iris/3#f",
    "runs:/",
    `runs:/${RUN}/../../etc`,
    `runs:/${RUN}/%2e%2e/x`,
    "runs:/not a run/model",
    "s3://bucket/model",
  ])("refuses %j naming the accepted forms", (uri) => {
    let error: unknown;
    try {
      parseModelUri(uri);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as LatheError).message).toContain("models:/<name>@<alias>");
    expect((error as LatheError).message).toContain("runs:/<run_id>/<path>");
  });
});

describe("resolveModelUri", () => {
  it("resolves a version number through its download URI and the run behind it", async () => {
    const lookup = fakeLookup();
    expect(await resolveModelUri("models:/iris/3", lookup)).toEqual({
      name: "iris",
      version: "3",
      runId: RUN,
      artifactUri: `mlflow-artifacts:/1/${RUN}/artifacts/model`,
    });
    expect(lookup.calls).toEqual(["get iris 3", "download iris 3", `run ${RUN}`]);
  });

  it("resolves a stage, in any case, to the highest version in it", async () => {
    const lookup = fakeLookup();
    expect(await resolveModelUri("models:/iris/staging", lookup)).toMatchObject({ name: "iris", version: "3" });
    expect(lookup.calls[0]).toBe("latest iris Staging");
  });

  it("resolves latest to the highest version over all stages", async () => {
    const lookup = fakeLookup();
    expect(await resolveModelUri("models:/iris/latest", lookup)).toEqual({
      name: "iris",
      version: "4",
      artifactUri: "s3://bucket/models/iris/4",
    });
    expect(lookup.calls[0]).toBe("latest iris ");
  });

  it("resolves an alias", async () => {
    expect(await resolveModelUri("models:/iris@champion", fakeLookup())).toMatchObject({
      name: "iris",
      version: "2",
      runId: RUN,
    });
  });

  it("resolves runs:/ to the run's artifact URI and path", async () => {
    expect(await resolveModelUri(`runs:/${RUN}/model`, fakeLookup())).toEqual({
      runId: RUN,
      artifactUri: `mlflow-artifacts:/1/${RUN}/artifacts/model`,
    });
    expect(await resolveModelUri(`runs:/${RUN}`, fakeLookup())).toMatchObject({
      artifactUri: `mlflow-artifacts:/1/${RUN}/artifacts`,
    });
  });

  it("passes on what the lookup says about things that do not exist", async () => {
    await expect(resolveModelUri("models:/iris/9", fakeLookup())).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    await expect(resolveModelUri("models:/iris@nope", fakeLookup())).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Registered model alias nope not found.",
    });
    await expect(resolveModelUri(`runs:/${"f".repeat(32)}/model`, fakeLookup())).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("says what to do when no version is in the stage, or the model has none", async () => {
    const empty: RegistryLookup = { ...fakeLookup(), getLatestVersions: async () => [] };
    await expect(resolveModelUri("models:/iris/Production", empty)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringMatching(/stage 'Production'.*transition-stage/),
    });
    await expect(resolveModelUri("models:/iris/latest", empty)).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringMatching(/no versions/),
    });
  });

  it("refuses a malformed URI before any lookup", async () => {
    const lookup = fakeLookup();
    await expect(resolveModelUri("models:/iris", lookup)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    expect(lookup.calls).toEqual([]);
  });
});

/**
 * The release scenario against a real tracking server and two real model servers, one following
 * `@uat` and one following `@prod`: a good version released to UAT passes its smoke test and is
 * approved to production (the prod alias moves, the prod server swaps to it); a weak version fails
 * the smoke test and its approval is refused, naming the failing request; `lathe release list`
 * shows the history. The commands run in-process through the CLI, their JSON output captured.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { trainCommand } from "../../src/models/train-command.js";
import type { Release, SmokeReport } from "../../src/release/index.js";
import { runLatheJson } from "../helpers/cli.js";
import { IRIS } from "../helpers/datasets.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { type ServingUnderTest, startServing } from "../serving/helpers.js";

const COLUMNS = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];

let registry: TestServer;
let client: LatheClient;
let uat: ServingUnderTest;
let prod: ServingUnderTest;
let folder: string;
let smokeFile: string;

/** One request per species, plus a V2 request and a malformed body that must be refused. */
function smokeYaml(): string {
  const row = (name: string, values: number[], species: string) => `
  - name: ${name}
    invocations:
      dataframe_split:
        columns: [${COLUMNS.join(", ")}]
        data: [[${values.join(", ")}]]
    expect:
      predictions: [${species}]`;
  return `requests:${row("setosa", [5.1, 3.5, 1.4, 0.2], "setosa")}${row("versicolor", [6.4, 3.2, 4.5, 1.5], "versicolor")}${row("virginica", [6.3, 3.3, 6.0, 2.5], "virginica")}
  - name: v2-setosa
    v2:
      inputs:
        - {name: input, datatype: FP32, shape: [1, 4], data: [5.0, 3.4, 1.5, 0.2]}
    expect:
      outputs: {label: [setosa]}
  - name: refuses-an-empty-body
    invocations: {inputs: []}
    expect: {status: 400}
`;
}

/** Runs `lathe <args> --json --tracking-uri <server>`; returns what it printed, or the error it failed with. */
function lathe(...args: string[]): Promise<{ output: unknown; error?: Error }> {
  return runLatheJson(registry.url, args);
}

async function train(params: Record<string, string>): Promise<string> {
  const result = await trainCommand({ data: IRIS, target: "species", algo: "tree", params, client, register: "iris" });
  return result.registered?.version as string;
}

beforeAll(async () => {
  registry = await startTestServer();
  client = new LatheClient({ trackingUri: registry.url });
  folder = mkdtempSync(join(tmpdir(), "lathe-release-"));
  smokeFile = join(folder, "smoke.yaml");
  writeFileSync(smokeFile, smokeYaml());
  // Version 1, in production today: a one-split tree that cannot tell versicolor from virginica.
  expect(await train({ max_depth: "1" })).toBe("1");
  // Version 2: a full tree. Version 3: a one-split tree again, the regression the smoke test must catch.
  expect(await train({})).toBe("2");
  expect(await train({ max_depth: "1" })).toBe("3");
  await client.setRegisteredModelAlias("iris", "uat", "1");
  await client.setRegisteredModelAlias("iris", "prod", "1");
  uat = await startServing("models:/iris@uat", { trackingUri: registry.url, pollSeconds: 0.1 });
  prod = await startServing("models:/iris@prod", { trackingUri: registry.url, pollSeconds: 0.1 });
});

afterAll(async () => {
  await uat?.close();
  await prod?.close();
  await registry?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("lathe release", () => {
  let passedId: string;
  let failedId: string;

  it("records the environments as tags of the lathe-releases experiment", async () => {
    await lathe("release", "env", "set", "uat", "--endpoint", `${uat.url}/`);
    await lathe("release", "env", "set", "prod", "--endpoint", prod.url);
    await lathe("release", "env", "set", "registry-only", "--alias", "staging");
    const { output } = await lathe("release", "env", "list");
    expect(output).toEqual([
      { name: "prod", alias: "prod", endpoint: prod.url },
      { name: "registry-only", alias: "staging" },
      { name: "uat", alias: "uat", endpoint: uat.url },
    ]);
    const experiment = await client.getExperimentByName("lathe-releases");
    expect(experiment.tags).toContainEqual({ key: "lathe.release.env.uat.endpoint", value: uat.url });
    const bad = await lathe("release", "env", "set", "uat", "--endpoint", "uat-host:8080");
    expect(bad.error?.message).toMatch(/--endpoint 'uat-host:8080' is not an http\(s\) URL/);
  });

  it("releases a good version to UAT: deployed by alias, served, smoke test passed", async () => {
    const { output, error } = await lathe(
      "release",
      "create",
      "models:/iris/2",
      "--env",
      "uat",
      "--smoke",
      smokeFile,
      "--user",
      "carol",
    );
    expect(error).toBeUndefined();
    const { release, report } = output as { release: Release; report: SmokeReport };
    expect(release).toMatchObject({
      model: "iris",
      version: "2",
      env: "uat",
      alias: "uat",
      status: "passed",
      createdBy: "carol",
      previousVersion: "1",
      smoke: { passed: 5, failed: 0, total: 5, failing: [] },
      approvals: [],
    });
    expect(report.results.map((result) => [result.name, result.passed])).toEqual([
      ["setosa", true],
      ["versicolor", true],
      ["virginica", true],
      ["v2-setosa", true],
      ["refuses-an-empty-body", true],
    ]);
    expect(uat.server.holder.current?.version).toBe("2");
    expect(prod.server.holder.current?.version).toBe("1");
    passedId = release.id;
    const run = await client.getRun(passedId);
    expect(run.info.status).toBe("FINISHED");
    expect(Object.fromEntries(run.data.metrics.map((metric) => [metric.key, metric.value]))).toEqual({
      smoke_passed: 5,
      smoke_failed: 0,
      smoke_total: 5,
    });
    expect((await client.listArtifacts(passedId)).map((file) => file.path)).toEqual(["smoke-report.json"]);
  });

  it("approves it to production: the prod alias moves and the prod server swaps", async () => {
    const { output, error } = await lathe("release", "approve", passedId, "--env", "prod", "--approver", "dana");
    expect(error).toBeUndefined();
    expect(output).toMatchObject({
      approval: { env: "prod", alias: "prod", approver: "dana", from: "1", to: "2" },
      served: true,
      release: { status: "approved" },
    });
    expect((await client.getModelVersionByAlias("iris", "prod")).version).toBe("2");
    expect(prod.server.holder.current?.version).toBe("2");
    const moves = (await client.getRegistryHistory("iris")).filter((event) => event.alias === "prod");
    expect(moves.at(-1)).toMatchObject({ from: "1", to: "2" });
    const tags = Object.fromEntries((await client.getRun(passedId)).data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags["lathe.release.approved_by"]).toBe("dana");
    expect(tags["lathe.release.approved_env"]).toBe("prod");
    expect(Number.isNaN(Date.parse(tags["lathe.release.approved_at"] ?? ""))).toBe(false);

    const again = await lathe("release", "approve", passedId, "--env", "prod", "--approver", "erin");
    expect(again.error?.message).toMatch(/already approved to prod by dana/);
    const sameEnv = await lathe("release", "approve", passedId, "--env", "uat");
    expect(sameEnv.error?.message).toMatch(/already deployed to uat/);
    const unknownEnv = await lathe("release", "approve", passedId, "--env", "qa");
    expect(unknownEnv.error?.message).toMatch(/No release environment 'qa'.*lathe release env set qa --endpoint/);
  });

  it("fails a weak version's smoke test, showing the failing request, and refuses to approve it", async () => {
    const { output, error } = await lathe(
      "release",
      "create",
      "models:/iris/3",
      "--env",
      "uat",
      "--smoke",
      smokeFile,
      "--user",
      "carol",
    );
    const { release, report } = output as { release: Release; report: SmokeReport };
    expect(release).toMatchObject({ version: "3", status: "failed", previousVersion: "2" });
    const failing = report.results.filter((result) => !result.passed);
    expect(failing).toHaveLength(1);
    const [wrong] = failing;
    expect(["versicolor", "virginica"]).toContain(wrong?.name);
    expect(wrong?.reason).toMatch(/^predictions\[0\]: expected (versicolor|virginica), got (versicolor|virginica)$/);
    // The command fails, printing the request, what was expected and what came back.
    expect(error?.message).toMatch(/failed: 1 of 5 requests failed/);
    expect(error?.message).toContain(`✗ ${wrong?.name}: ${wrong?.reason}`);
    expect(error?.message).toContain(`request:  POST /invocations {"dataframe_split":`);
    expect(error?.message).toContain(`expected: {"predictions":["${wrong?.name}"]} (status 200)`);
    expect(error?.message).toMatch(/got: {6}200 \{"predictions":\["(versicolor|virginica)"\]\}/);
    failedId = release.id;
    expect((await client.getRun(failedId)).info.status).toBe("FAILED");

    const refused = await lathe("release", "approve", failedId, "--env", "prod", "--approver", "dana");
    expect(refused.error?.message).toMatch(
      new RegExp(`failed its smoke test in uat: 1 of 5 requests failed \\('${wrong?.name}'\\).*create a new release`),
    );
    expect((await client.getModelVersionByAlias("iris", "prod")).version).toBe("2");
    expect(prod.server.holder.current?.version).toBe("2");

    const shown = await lathe("release", "show", failedId);
    expect((shown.output as { report: SmokeReport }).report.results.find((result) => !result.passed)).toEqual(wrong);
  });

  it("records a deployment that never came up, naming the endpoint and what it serves", async () => {
    // This environment's endpoint is the prod server, which follows @prod, never @frozen.
    await lathe("release", "env", "set", "frozen", "--endpoint", prod.url);
    const { error } = await lathe(
      "release",
      "create",
      "models:/iris@uat",
      "--env",
      "frozen",
      "--smoke",
      smokeFile,
      "--timeout",
      "1s",
    );
    expect(error?.message).toContain(
      `The frozen endpoint ${prod.url} did not serve 'iris' version 3 within 1s: it serves 'iris' version 2.`,
    );
    const [latest] = (await lathe("release", "list", "--env", "frozen")).output as Release[];
    expect(latest).toMatchObject({ env: "frozen", version: "3", status: "error" });
    const refused = await lathe("release", "approve", latest?.id as string, "--env", "prod");
    expect(refused.error?.message).toMatch(/never ran its smoke test/);
    const noEndpoint = await lathe(
      "release",
      "create",
      "models:/iris/2",
      "--env",
      "registry-only",
      "--smoke",
      smokeFile,
    );
    expect(noEndpoint.error?.message).toMatch(/'registry-only' has no endpoint/);
  });

  it("lists the history newest first, filtered by model and environment", async () => {
    const all = (await lathe("release", "list", "--model", "iris")).output as Release[];
    expect(all.map((release) => [release.version, release.env, release.status])).toEqual([
      ["3", "frozen", "error"],
      ["3", "uat", "failed"],
      ["2", "uat", "approved"],
    ]);
    const toProd = (await lathe("release", "list", "--env", "prod")).output as Release[];
    expect(toProd.map((release) => release.id)).toEqual([passedId]);
    expect(toProd[0]?.approvals).toMatchObject([{ approver: "dana", env: "prod" }]);
    expect((await lathe("release", "list", "--model", "other")).output).toEqual([]);
    const notRelease = await lathe("release", "show", (await client.createRun({ experimentId: "0" })).info.run_id);
    expect(notRelease.error?.message).toMatch(/is not a release/);
  });
});

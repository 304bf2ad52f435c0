/**
 * The `lathe experiments|runs|models` commands against a real server, run in-process with their
 * JSON output captured: listing, comparing, environment diffs, and the promote → rollback scenario.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { runLatheJson } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let client: LatheClient;

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url });
});
afterAll(async () => server.close());

/** Runs `lathe <args> --json --tracking-uri <server>` and parses what it printed. */
async function lathe(...args: string[]): Promise<unknown> {
  const { output, error } = await runLatheJson(server.url, args);
  if (error) throw error;
  return output;
}

describe("lathe experiments and runs", () => {
  it("creates, lists, deletes and restores experiments", async () => {
    const created = (await lathe("experiments", "create", "cli-exp")) as { experiment_id: string; name: string };
    expect(created.name).toBe("cli-exp");
    const listed = (await lathe("experiments", "list")) as { name: string }[];
    expect(listed.map((experiment) => experiment.name)).toContain("cli-exp");
    expect(
      ((await lathe("experiments", "delete", created.experiment_id)) as { lifecycle_stage: string }).lifecycle_stage,
    ).toBe("deleted");
    expect(
      ((await lathe("experiments", "restore", created.experiment_id)) as { lifecycle_stage: string }).lifecycle_stage,
    ).toBe("active");
  });

  it("lists, shows, compares and diffs runs", async () => {
    const ids: string[] = [];
    for (const [accuracy, node] of [
      [0.8, "v20.0.0"],
      [0.9, "v22.0.0"],
    ] as const) {
      const run = await client.createRun({ experimentId: "0", runName: `acc-${accuracy}` });
      await client.logBatch(run.info.run_id, {
        params: [{ key: "depth", value: accuracy > 0.85 ? "5" : "3" }],
        metrics: [{ key: "accuracy", value: accuracy }],
        tags: { "lathe.env.node": node, "lathe.env.os": "linux" },
      });
      ids.push(run.info.run_id);
    }
    const listed = (await lathe("runs", "list", "-e", "0", "--order-by", "metrics.accuracy DESC")) as {
      info: { run_name: string };
    }[];
    expect(listed.slice(0, 2).map((run) => run.info.run_name)).toEqual(["acc-0.9", "acc-0.8"]);
    const shown = (await lathe("runs", "show", ids[0]!)) as { data: { metrics: { key: string; value: number }[] } };
    expect(shown.data.metrics).toEqual([expect.objectContaining({ key: "accuracy", value: 0.8 })]);
    const compared = (await lathe("runs", "compare", ids[0]!, ids[1]!)) as { field: string; differs: boolean }[];
    expect(compared.find((row) => row.field === "params.depth")?.differs).toBe(true);
    expect(compared.find((row) => row.field === "tags.lathe.env.os")?.differs).toBe(false);
    const diff = (await lathe("runs", "diff-env", ids[0]!, ids[1]!)) as { key: string; a: string; b: string }[];
    expect(diff).toEqual([{ key: "lathe.env.node", a: "v20.0.0", b: "v22.0.0" }]);
  });

  it("says what was wrong for a bad flag", async () => {
    await expect(lathe("runs", "list", "-e", "0", "--view", "SOME")).rejects.toThrow(/Unknown --view 'SOME'/);
  });
});

describe("lathe models: promote, promote again, roll back", () => {
  it("moves champion 2 → 3 → back to 2 and lists every move", async () => {
    const run = await client.createRun({ experimentId: "0", runName: "model-run" });
    for (let i = 1; i <= 3; i++) {
      const registered = (await lathe("models", "register", `runs:/${run.info.run_id}/model`, "cli-model")) as {
        version: string;
      };
      expect(registered.version).toBe(String(i));
    }
    expect(await lathe("models", "promote", "cli-model", "2", "--alias", "champion")).toMatchObject({ version: "2" });
    expect(await lathe("models", "promote", "cli-model", "3", "--alias", "champion")).toMatchObject({
      version: "3",
      previous: "2",
    });
    expect(await lathe("models", "rollback", "cli-model", "--alias", "champion")).toMatchObject({
      version: "2",
      previous: "3",
    });
    expect(await lathe("models", "alias", "cli-model", "champion")).toMatchObject({ version: "2" });
    expect(await lathe("models", "resolve", "models:/cli-model@champion")).toMatchObject({
      name: "cli-model",
      version: "2",
      runId: run.info.run_id,
      artifactUri: `${run.info.artifact_uri}/model`,
    });

    const history = (await lathe("models", "history", "cli-model")) as {
      kind: string;
      alias?: string;
      from?: string;
      to?: string;
    }[];
    const moves = history
      .filter((event) => event.kind === "alias")
      .map((event) => [event.from ?? null, event.to ?? null]);
    expect(moves).toEqual([
      [null, "2"],
      ["2", "3"],
      ["3", "2"],
    ]);
    const versions = (await lathe("models", "versions", "cli-model")) as { version: string; aliases: string[] }[];
    expect(versions.map((version) => [version.version, version.aliases])).toEqual([
      ["3", []],
      ["2", ["champion"]],
      ["1", []],
    ]);
  });

  it("refuses a rollback with nothing to go back to, saying why", async () => {
    const run = await client.createRun({ experimentId: "0" });
    await lathe("models", "register", `runs:/${run.info.run_id}/model`, "single");
    await lathe("models", "promote", "single", "1", "--alias", "champion");
    await expect(lathe("models", "rollback", "single", "--alias", "champion")).rejects.toThrow(
      /no earlier version to roll back to/,
    );
  });
});

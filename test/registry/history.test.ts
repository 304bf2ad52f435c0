/**
 * The promotion scenario through a real `lathe server`: three versions, an alias moved back and
 * forth and stages changed by different users (named by the Authorization header), and the
 * `registry/history` extension listing every move with who made it and from/to. Deleting a version
 * that holds an alias removes the alias, and the history outlives versions, renames and the model.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { basicAuth, createModel, createRun, getModel, history, type ModelVersionJson, okAs } from "./helpers.js";

let server: TestServer;
let runId: string;

const ALICE = basicAuth("alice");
const BOB = basicAuth("bob", "hunter2");
const TOKEN = "Bearer ci-token-123";
const TOKEN_USER = `token:${createHash("sha256").update("ci-token-123").digest("hex").slice(0, 8)}`;

beforeAll(async () => {
  server = await startTestServer();
  runId = (await createRun(server)).runId;
});

afterAll(async () => {
  await server.close();
});

/** The parts of each event a person reads: what moved, from where to where, and who moved it. */
async function moves(name: string, version?: string): Promise<string[]> {
  return (await history(server, name, version)).map(
    (event) =>
      `${event.kind} ${event.alias ?? ""} v${event.version} ${event.from ?? "-"}→${event.to ?? "-"} by ${event.user}`,
  );
}

async function champion(name: string): Promise<string> {
  const body = await server.ok("GET", "registered-models/alias", { name, alias: "champion" });
  return (body.model_version as ModelVersionJson).version;
}

describe("promoting with an alias and stages", () => {
  beforeAll(async () => {
    await createModel(server, "iris", 3, runId);
  });

  it("records every alias move and stage transition with who made it", async () => {
    await okAs(server, ALICE, "POST", "registered-models/alias", { name: "iris", alias: "champion", version: "2" });
    expect(await champion("iris")).toBe("2");
    await okAs(server, ALICE, "POST", "model-versions/transition-stage", {
      name: "iris",
      version: "2",
      stage: "Production",
    });
    await okAs(server, BOB, "POST", "registered-models/alias", { name: "iris", alias: "champion", version: "3" });
    await okAs(server, BOB, "POST", "model-versions/transition-stage", {
      name: "iris",
      version: "3",
      stage: "production",
      archive_existing_versions: true,
    });
    expect(await champion("iris")).toBe("3");
    await okAs(server, TOKEN, "POST", "registered-models/alias", { name: "iris", alias: "champion", version: "2" });
    expect(await champion("iris")).toBe("2");
    // Setting an alias to where it already points is not a move.
    await okAs(server, TOKEN, "POST", "registered-models/alias", { name: "iris", alias: "champion", version: "2" });

    expect(await moves("iris")).toEqual([
      "alias champion v2 -→2 by alice",
      "stage  v2 None→Production by alice",
      "alias champion v3 2→3 by bob",
      "stage  v2 Production→Archived by bob",
      "stage  v3 None→Production by bob",
      `alias champion v2 3→2 by ${TOKEN_USER}`,
    ]);
    const events = await history(server, "iris");
    expect(events.every((event) => event.name === "iris" && Number.isInteger(event.timestamp))).toBe(true);
    const stamps = events.map((event) => event.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it("narrows the history to one version", async () => {
    expect(await moves("iris", "3")).toEqual(["alias champion v3 2→3 by bob", "stage  v3 None→Production by bob"]);
  });

  it("removes the alias of a deleted version and records who removed it", async () => {
    await okAs(server, BOB, "DELETE", "model-versions/delete", { name: "iris", version: "2" });
    expect(
      await server.fails(
        "GET",
        "registered-models/alias",
        { name: "iris", alias: "champion" },
        400,
        "INVALID_PARAMETER_VALUE",
      ),
    ).toBe("Registered model alias champion not found.");
    expect((await getModel(server, "iris")).aliases).toBeUndefined();
    expect((await moves("iris")).at(-1)).toBe("alias champion v2 2→- by bob");
    // The deleted version's moves are still there.
    expect(await moves("iris", "2")).toHaveLength(5);
  });

  it("records removing an alias, but not removing one that does not exist", async () => {
    await okAs(server, ALICE, "POST", "registered-models/alias", { name: "iris", alias: "challenger", version: "1" });
    await okAs(server, ALICE, "DELETE", "registered-models/alias", { name: "iris", alias: "challenger" });
    await okAs(server, ALICE, "DELETE", "registered-models/alias", { name: "iris", alias: "challenger" });
    expect((await moves("iris", "1")).slice(-2)).toEqual([
      "alias challenger v1 -→1 by alice",
      "alias challenger v1 1→- by alice",
    ]);
  });

  it("follows a rename and outlives the model", async () => {
    const before = await moves("iris");
    await server.ok("POST", "registered-models/rename", { name: "iris", new_name: "iris-v2" });
    expect(await moves("iris-v2")).toEqual(before);
    await server.ok("DELETE", "registered-models/delete", { name: "iris-v2" });
    await server.fails("GET", "registered-models/get", { name: "iris-v2" }, 404, "RESOURCE_DOES_NOT_EXIST");
    expect(await moves("iris-v2")).toEqual(before);
  });

  it("is empty for a model without moves, and 404 for a name that never existed", async () => {
    await server.ok("POST", "registered-models/create", { name: "quiet" });
    expect(await server.ok("GET", "registry/history", { name: "quiet" })).toEqual({ events: [] });
    expect(await server.fails("GET", "registry/history", { name: "never" }, 404, "RESOURCE_DOES_NOT_EXIST")).toBe(
      "Registered Model with name=never not found",
    );
    await server.fails("GET", "registry/history", {}, 400, "INVALID_PARAMETER_VALUE");
    await server.fails("GET", "registry/history", { name: "quiet", version: "x" }, 400, "INVALID_PARAMETER_VALUE");
  });
});

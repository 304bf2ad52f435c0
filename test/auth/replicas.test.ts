/**
 * Two servers on one database, as replicas behind a load balancer (or --workers): users,
 * permissions and tokens made on one hold on the other at once, since only the credential cache
 * lives in a process; both write to one audit log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testStoreUri } from "../helpers/server.js";
import { ADMIN, type AuthTestServer, startAuthServer } from "./helpers.js";

let dir: string;
let drop: () => Promise<void>;
let first: AuthTestServer;
let second: AuthTestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lathe-replicas-"));
  const store = await testStoreUri(dir);
  drop = store.drop;
  first = await startAuthServer({ backendStoreUri: store.uri });
  second = await startAuthServer({ backendStoreUri: store.uri });
});

afterAll(async () => {
  await first.close();
  await second.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

it("shares users, permissions, tokens and the audit log between replicas", async () => {
  const frank = await first.createUser("frank");
  const experiment = (await first.admin("POST", "experiments/create", { name: "replicated" })).body
    .experiment_id as string;
  await first.admin("POST", "experiments/permissions/create", {
    experiment_id: experiment,
    username: "frank",
    permission: "EDIT",
  });
  const asFrankOnSecond = second.as(frank);
  expect(
    (await asFrankOnSecond("POST", "experiments/update", { experiment_id: experiment, new_name: "replicated-2" }))
      .status,
  ).toBe(200);

  // A permission change on one replica holds on the other with no delay: permissions are not cached.
  await first.admin("PATCH", "experiments/permissions/update", {
    experiment_id: experiment,
    username: "frank",
    permission: "READ",
  });
  expect(
    (await asFrankOnSecond("POST", "experiments/update", { experiment_id: experiment, new_name: "replicated-3" }))
      .status,
  ).toBe(403);

  const token = (await second.as(frank)("POST", "/api/2.0/lathe/tokens/create", { name: "both" })).body
    .secret as string;
  expect((await first.as({ token })("GET", "experiments/get", { experiment_id: experiment })).status).toBe(200);

  const events = (await first.as(ADMIN)("GET", "/api/2.0/lathe/audit-log", { max_results: 10 })).body.events as {
    path: string;
    status: number;
  }[];
  expect(events.map((event) => [event.path, event.status])).toEqual(
    expect.arrayContaining([
      ["/api/2.0/lathe/tokens/create", 200],
      ["/api/2.0/mlflow/experiments/update", 403],
      ["/api/2.0/mlflow/experiments/update", 200],
    ]),
  );
});

/**
 * `lathe token create|list|revoke` and `lathe audit` against a real server with --auth, run
 * in-process with credentials in MLflow's environment variables and JSON output captured.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseExpiry } from "../../src/cli/token.js";
import { runLatheJson } from "../helpers/cli.js";
import { ADMIN, type AuthTestServer, startAuthServer } from "./helpers.js";

let server: AuthTestServer;

beforeAll(async () => {
  server = await startAuthServer();
  await server.createUser("cli-user");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

async function lathe(env: Record<string, string>, ...args: string[]): Promise<unknown> {
  for (const name of ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"])
    vi.stubEnv(name, env[name] ?? "");
  const { output, error } = await runLatheJson(server.url, args);
  if (error) throw error;
  return output;
}

const asUser = { MLFLOW_TRACKING_USERNAME: "cli-user", MLFLOW_TRACKING_PASSWORD: "cli-user-password-123" };

describe("lathe token", () => {
  it("creates a token with Basic credentials, uses it as MLFLOW_TRACKING_TOKEN, lists and revokes it", async () => {
    const created = (await lathe(asUser, "token", "create", "--name", "laptop", "--expires", "30d")) as {
      token: { token_id: string; name: string; expiration_time: number; creation_time: number };
      secret: string;
    };
    expect(created.token.name).toBe("laptop");
    expect(created.token.expiration_time - created.token.creation_time).toBe(30 * 86_400 * 1000);
    const asToken = { MLFLOW_TRACKING_TOKEN: created.secret };
    const listed = (await lathe(asToken, "token", "list")) as { token_id: string }[];
    expect(listed.map((token) => token.token_id)).toEqual([created.token.token_id]);
    expect(await lathe(asUser, "token", "revoke", created.token.token_id)).toEqual({
      token_id: created.token.token_id,
      revoked: true,
    });
    await expect(lathe(asToken, "token", "list")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("reads --expires durations and refuses others with the accepted forms", () => {
    expect(parseExpiry("12h")).toBe(43_200);
    expect(parseExpiry("2w")).toBe(1_209_600);
    expect(parseExpiry("never")).toBeUndefined();
    expect(() => parseExpiry("soon")).toThrow(/e\.g\. 30d, or 'never'/);
  });
});

describe("lathe audit", () => {
  it("shows the audit log to admins, newest first", async () => {
    await lathe(asUser, "experiments", "create", "cli-audited");
    const page = (await lathe(
      { MLFLOW_TRACKING_USERNAME: ADMIN.username, MLFLOW_TRACKING_PASSWORD: ADMIN.password },
      "audit",
      "--max-results",
      "1",
    )) as { events: { username: string; path: string }[]; next_page_token: string };
    expect(page.events).toEqual([
      expect.objectContaining({ username: "cli-user", path: "/api/2.0/mlflow/experiments/create" }),
    ]);
    expect(page.next_page_token).toEqual(expect.any(String));
    await expect(lathe(asUser, "audit")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });
});

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectEnvironmentTags, diffEnvironments, isEnvironmentTag } from "./environment.js";

const base = {
  "lathe.env.node": "v20.20.2",
  "lathe.env.os": "linux 6.1.0 x64",
  "mlflow.source.git.commit": "a".repeat(40),
  "lathe.env.git.dirty": "false",
  "lathe.env.lockfile": "package-lock.json sha256:00",
  "mlflow.user": "ann",
};

describe("diffEnvironments", () => {
  it("returns nothing for identical environments", () => {
    expect(diffEnvironments(base, { ...base })).toEqual([]);
  });

  it("returns the sorted keys whose values differ, and keys present on one side only", () => {
    const other = { ...base, "lathe.env.node": "v22.1.0", "lathe.env.git.dirty": "true", "lathe.env.python": "3.11.2" };
    delete (other as Record<string, string>)["mlflow.user"];
    expect(diffEnvironments(base, other)).toEqual([
      "lathe.env.git.dirty",
      "lathe.env.node",
      "lathe.env.python",
      "mlflow.user",
    ]);
  });

  it("ignores tags that are not about the environment, and takes MLflow tag lists too", () => {
    const a = [...Object.entries(base).map(([key, value]) => ({ key, value })), { key: "mlflow.runName", value: "a" }];
    const b = [
      ...Object.entries({ ...base, "mlflow.source.git.commit": "b".repeat(40) }).map(([key, value]) => ({
        key,
        value,
      })),
      { key: "mlflow.runName", value: "b" },
      { key: "team", value: "ml" },
    ];
    expect(diffEnvironments(a, b)).toEqual(["mlflow.source.git.commit"]);
    expect(isEnvironmentTag("lathe.env.cuda")).toBe(true);
    expect(isEnvironmentTag("mlflow.runName")).toBe(false);
  });
});

describe("collectEnvironmentTags", () => {
  const dir = mkdtempSync(join(tmpdir(), "lathe-env-"));

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("hashes the nearest lock file upward from the working folder and leaves git out outside a repository", async () => {
    writeFileSync(join(dir, "requirements.txt"), "numpy==2.0.0\n");
    const nested = join(dir, "project", "src");
    mkdirSync(nested, { recursive: true });
    const outer = await collectEnvironmentTags({ cwd: nested });
    const sha = createHash("sha256").update("numpy==2.0.0\n").digest("hex");
    expect(outer["lathe.env.lockfile"]).toBe(`requirements.txt sha256:${sha}`);
    expect(outer["mlflow.source.git.commit"]).toBeUndefined();
    expect(outer["lathe.env.git.dirty"]).toBeUndefined();
    expect(outer).toMatchObject({ "lathe.env.node": process.version, "mlflow.source.type": "LOCAL" });

    writeFileSync(join(dir, "project", "uv.lock"), "version = 1\n");
    const inner = await collectEnvironmentTags({ cwd: nested });
    expect(inner["lathe.env.lockfile"]).toMatch(/^uv\.lock sha256:[0-9a-f]{64}$/);
  });
});

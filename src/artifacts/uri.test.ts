import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LatheError } from "../core/errors.js";
import { openArtifactRepository, validateArtifactLocation } from "./index.js";

let base: string;
let destination: string;

function thrown(run: () => unknown): LatheError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LatheError);
    return error as LatheError;
  }
  throw new Error("expected a LatheError");
}

const body = (content: string): Readable => Readable.from([Buffer.from(content)]);

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "lathe-artifact-uri-"));
  destination = join(base, "dest");
  writeFileSync(join(base, "sentinel.txt"), "SENTINEL");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("openArtifactRepository", () => {
  it.each([
    ["a plain path", () => join(base, "local")],
    ["file:///abs", () => pathToFileURL(join(base, "local")).href],
    ["file:/abs", () => `file:${join(base, "local")}`],
  ])("opens %s as a local repository", async (_label, uri) => {
    const repo = openArtifactRepository(uri(), { artifactsDestination: destination });
    expect(repo.rootUri).toBe(uri());
    await repo.put("model/MLmodel", body("m"));
    expect(readFileSync(join(base, "local", "model", "MLmodel"), "utf8")).toBe("m");
  });

  it.each([
    "mlflow-artifacts:/1/abc123/artifacts",
    "mlflow-artifacts://tracking.example:5000/1/abc123/artifacts",
    "mlflow-artifacts:///1/abc123/artifacts/",
  ])("resolves %s under the artifacts destination", async (uri) => {
    const repo = openArtifactRepository(uri, { artifactsDestination: destination });
    expect(repo.rootUri).toBe(uri);
    expect(await repo.put("model/MLmodel", body("flavors"))).toBe(7);
    expect(readFileSync(join(destination, "1/abc123/artifacts/model/MLmodel"), "utf8")).toBe("flavors");
    expect(await text((await repo.get("model/MLmodel")).stream)).toBe("flavors");
    expect(await repo.list()).toEqual([{ path: "model", is_dir: true }]);
    expect(await repo.list("model")).toEqual([{ path: "model/MLmodel", is_dir: false, file_size: 7 }]);
    await expect(repo.delete("")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(repo.put("../../escape.txt", body("x"))).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await repo.delete("model");
    expect(await repo.list()).toEqual([]);
    await expect(repo.get("model/MLmodel")).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("maps mlflow-artifacts:/ to the destination itself", async () => {
    const repo = openArtifactRepository("mlflow-artifacts:/", { artifactsDestination: destination });
    await repo.put("1/r/artifacts/x.txt", body("x"));
    expect(await repo.list()).toEqual([{ path: "1", is_dir: true }]);
  });

  it("keeps the symlink check anchored at the destination", async () => {
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "outside", "secret.txt"), "SECRET");
    mkdirSync(destination);
    symlinkSync(join(base, "outside"), join(destination, "1"));
    const repo = openArtifactRepository("mlflow-artifacts:/1", { artifactsDestination: destination });
    await expect(repo.get("secret.txt")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(repo.list()).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(repo.put("new.txt", body("x"))).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it.each([
    "mlflow-artifacts://h/../../",
    "mlflow-artifacts:/..%2f..%2fetc",
    "mlflow-artifacts:/1/%252e%252e/%252e%252e",
    "mlflow-artifacts:/1#/../..",
    "mlflow-artifacts:/1;/../..",
    "file://remote-host/share",
    "file:///tmp/x#frag",
    "",
  ])("refuses %j", (uri) => {
    expect(thrown(() => openArtifactRepository(uri, { artifactsDestination: destination })).code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
  });

  it.each(["gs://b/p", "http://h/api/2.0/mlflow-artifacts/artifacts/x", "runs:/abc/artifacts"])(
    "reports %s as NOT_IMPLEMENTED naming the scheme",
    (uri) => {
      const error = thrown(() => openArtifactRepository(uri, { artifactsDestination: destination }));
      expect(error.code).toBe("NOT_IMPLEMENTED");
      expect(error.message).toContain(`'${uri.slice(0, uri.indexOf(":"))}:'`);
    },
  );
});

describe("validateArtifactLocation", () => {
  it.each([
    ["s3://bucket/path/to/root", "s3://bucket/path/to/root"],
    ["s3://bucket/a..b", "s3://bucket/a..b"],
    ["mlflow-artifacts:/", "mlflow-artifacts:/"],
    ["mlflow-artifacts://host:5000/exp", "mlflow-artifacts://host:5000/exp"],
    ["file:///tmp/mlruns", "file:///tmp/mlruns"],
    ["file:/tmp/mlruns", "file:///tmp/mlruns"],
    ["file://localhost/tmp/mlruns", "file:///tmp/mlruns"],
    ["/srv/my runs", "file:///srv/my%20runs"],
    ["relative/mlruns", pathToFileURL(resolve("relative/mlruns")).href],
  ])("accepts %j as %j", (input, expected) => {
    expect(validateArtifactLocation(input)).toBe(expected);
  });

  it.each([
    "runs:/abc123/artifacts",
    "RUNS:/abc",
    "%72uns:/abc",
    "models:/m/1",
    "file:///tmp#/../etc",
    "file:///tmp/x%23/../../etc",
    "/tmp/mlruns#frag",
    "file:///tmp/x?x=/../",
    "s3://b/p?versionId=1",
    "file:///tmp;/../etc",
    "s3:/b/../../x",
    "mlflow-artifacts://h/../../",
    "http://h/api/2.0/mlflow-artifacts/artifacts/../../",
    "/tmp/..%2f..%2fetc",
    "/tmp/%252e%252e/etc",
    "\\..\\..\\x",
    "file:///tmp/x%00",
    "/tmp/a\nb",
    "/tmp/%zz",
    "file://remote-host/share",
    "",
  ])("refuses %j", (location) => {
    const error = thrown(() => validateArtifactLocation(location));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/^Invalid artifact location: /);
  });

  it("caps the length at 4096 by default and honours a custom cap", () => {
    const long = `s3://bucket/${"a".repeat(4096 - 12)}`;
    expect(validateArtifactLocation(long)).toBe(long);
    expect(thrown(() => validateArtifactLocation(`${long}a`)).message).toMatch(/longer than 4096/);
    expect(thrown(() => validateArtifactLocation("s3://bucket/abc", { maxLength: 10 })).code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("returns locations that validate again unchanged", () => {
    for (const location of ["/srv/my runs", "file:/tmp/x", "s3://b/p"]) {
      const once = validateArtifactLocation(location);
      expect(validateArtifactLocation(once)).toBe(once);
    }
  });
});

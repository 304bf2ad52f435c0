/**
 * The artifact repository contract on S3, against moto on loopback: round trips, nested listings in
 * MLflow's FileInfo shape, pagination, multipart bodies, deletes of files and whole prefixes, and
 * hostile paths refused before any request reaches the bucket.
 */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openArtifactRepository,
  openArtifactsDestination,
  resolveArtifactsDestination,
  S3ArtifactRepository,
} from "../../src/artifacts/index.js";
import { expectNestedRoundTrip, HOSTILE_ARTIFACT_PATHS, refusedWith } from "../../src/artifacts/test-helpers.js";
import { LatheError } from "../../src/core/errors.js";
import { S3_ARTIFACTS_HINT, type S3TestEnv, s3Available, startS3TestEnv } from "./s3-env.js";

const MIB = 1024 * 1024;
const BUCKET = "lathe-artifacts";

if (!s3Available) console.warn(S3_ARTIFACTS_HINT);

const body = (content: string | Buffer): Readable => Readable.from([Buffer.from(content)]);

let prefixCount = 0;
/** A repository on a fresh prefix, so tests do not see each other's objects. */
function freshRepository(options: ConstructorParameters<typeof S3ArtifactRepository>[1] = {}): S3ArtifactRepository {
  prefixCount++;
  return new S3ArtifactRepository(`s3://${BUCKET}/contract-${prefixCount}/artifacts`, options);
}

describe.skipIf(!s3Available)("S3ArtifactRepository against moto on loopback", () => {
  let s3: S3TestEnv;

  beforeAll(async () => {
    s3 = await startS3TestEnv();
    await s3.createBucket(BUCKET);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it("puts, gets, lists and deletes nested artifacts under the prefix", async () => {
    const repo = freshRepository();
    const root = repo.prefix;
    await expectNestedRoundTrip(repo, async () => {
      expect(await s3.keys(BUCKET, `${root}/`)).toEqual([
        `${root}/metrics.json`,
        `${root}/model/MLmodel`,
        `${root}/model/data/weights.bin`,
      ]);
    });
    expect(await s3.keys(BUCKET, `${root}/`)).toEqual([`${root}/metrics.json`]);
  });

  it("sorts listings by code point and keeps odd but legal names", async () => {
    const repo = freshRepository();
    for (const name of ["b.txt", "a.txt", "C.txt", "a b.txt", "a..b.txt", "é.txt", "模型.txt", "a%20b.txt"]) {
      await repo.put(`dir/${name}`, body(name));
    }
    const paths = (await repo.list("dir")).map((file) => file.path);
    expect(paths).toEqual(
      ["C.txt", "a b.txt", "a%20b.txt", "a..b.txt", "a.txt", "b.txt", "é.txt", "模型.txt"].map((n) => `dir/${n}`),
    );
    expect(await text((await repo.get("dir/a%20b.txt")).stream)).toBe("a%20b.txt");
  });

  it("returns [] for a missing folder or a file path", async () => {
    const repo = freshRepository();
    await repo.put("f.txt", body("x"));
    expect(await repo.list("nope/deeper")).toEqual([]);
    expect(await repo.list("f.txt")).toEqual([]);
    expect(await repo.list("f.txt/below")).toEqual([]);
  });

  it("follows continuation tokens when a folder spans several listing pages", async () => {
    const repo = freshRepository({ listPageSize: 3 });
    const files = Array.from({ length: 8 }, (_, i) => `many/file-${i}.txt`);
    const folders = Array.from({ length: 4 }, (_, i) => `many/sub-${i}/inner.txt`);
    for (const path of [...files, ...folders]) await repo.put(path, body(path));
    const listed = await repo.list("many");
    expect(listed).toHaveLength(12);
    expect(listed.filter((file) => file.is_dir).map((file) => file.path)).toEqual(
      Array.from({ length: 4 }, (_, i) => `many/sub-${i}`),
    );
    expect(listed.filter((file) => !file.is_dir).map((file) => file.path)).toEqual(files);
    // Deleting a folder pages through its keys the same way.
    await repo.delete("many");
    expect(await s3.keys(BUCKET, `${repo.prefix}/`)).toEqual([]);
  });

  it("lists and deletes a folder of more than 1000 keys, S3's page and batch limit", async () => {
    const repo = freshRepository();
    const client = s3.client;
    const keys = Array.from({ length: 1003 }, (_, i) => `${repo.prefix}/bulk/f-${String(i).padStart(4, "0")}`);
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(
        keys
          .slice(start, start + 50)
          .map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: "x" }))),
      );
    }
    const listed = await repo.list("bulk");
    expect(listed).toHaveLength(1003);
    expect(listed.at(-1)).toEqual({ path: "bulk/f-1002", is_dir: false, file_size: 1 });
    await repo.delete("bulk");
    expect(await s3.keys(BUCKET, `${repo.prefix}/`)).toEqual([]);
  });

  it("streams a body larger than one part as a multipart upload", async () => {
    const repo = freshRepository({ partSize: 5 * MIB });
    const data = randomBytes(11 * MIB + 17);
    const chunks = Array.from({ length: Math.ceil(data.length / (64 * 1024)) }, (_, i) =>
      data.subarray(i * 64 * 1024, (i + 1) * 64 * 1024),
    );
    expect(await repo.put("big/blob.bin", Readable.from(chunks))).toBe(data.length);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${repo.prefix}/big/blob.bin` }));
    // A multipart object's ETag is "<md5 of the part md5s>-<part count>".
    expect(head.ETag).toMatch(/-3"?$/);
    const { stream, size } = await repo.get("big/blob.bin");
    expect(size).toBe(data.length);
    const back = createHash("sha256");
    for await (const part of stream) back.update(part as Buffer);
    expect(back.digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
    expect(await repo.list("big")).toEqual([{ path: "big/blob.bin", is_dir: false, file_size: data.length }]);
  });

  it.each([
    ["a small body", 1024],
    ["a multipart body", 7 * MIB],
  ])("leaves no object behind when %s fails mid-upload", async (_label, before) => {
    const repo = freshRepository({ partSize: 5 * MIB });
    await repo.put("model.pkl", body("version-1"));
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= before) {
          this.destroy(new Error("client went away"));
          return;
        }
        sent += 256 * 1024;
        this.push(Buffer.alloc(256 * 1024, 1));
      },
    });
    const error = await repo.put("model.pkl", failing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("client went away");
    expect(await text((await repo.get("model.pkl")).stream)).toBe("version-1");
    expect(await s3.keys(BUCKET, `${repo.prefix}/`)).toEqual([`${repo.prefix}/model.pkl`]);
  });

  it("reports missing files and folders as RESOURCE_DOES_NOT_EXIST", async () => {
    const repo = freshRepository();
    await repo.put("dir/f.txt", body("x"));
    await refusedWith(repo.get("missing.txt"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.get("dir"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.get(""), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.delete("missing.txt"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.delete("dir/missing/x"), "RESOURCE_DOES_NOT_EXIST");
  });

  it("deletes a folder without touching a sibling that shares its name as a prefix", async () => {
    const repo = freshRepository();
    await repo.put("model/MLmodel", body("a"));
    await repo.put("model2/MLmodel", body("b"));
    await repo.put("model.txt", body("c"));
    await repo.delete("model");
    expect((await repo.list()).map((file) => file.path)).toEqual(["model.txt", "model2"]);
  });

  it("refuses root-level put and delete", async () => {
    const repo = freshRepository();
    await repo.put("keep.txt", body("x"));
    await refusedWith(repo.put("", body("y")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete(""), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete("."), "INVALID_PARAMETER_VALUE");
    expect(await s3.keys(BUCKET, `${repo.prefix}/`)).toEqual([`${repo.prefix}/keep.txt`]);
  });

  it("hides keys other tools wrote that no client could store safely", async () => {
    const repo = freshRepository();
    await repo.put("ok.txt", body("fine"));
    for (const odd of ["../escape.txt", "a\\b.txt", "nested//double.txt", "marker/"]) {
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${repo.prefix}/${odd}`, Body: "odd" }));
    }
    expect(await repo.list()).toEqual([
      { path: "marker", is_dir: true },
      { path: "nested", is_dir: true },
      { path: "ok.txt", is_dir: false, file_size: 4 },
    ]);
    expect(await repo.list("nested")).toEqual([]);
    expect(await repo.list("marker")).toEqual([]);
  });

  it("names a missing bucket and how to fix it", async () => {
    const repo = new S3ArtifactRepository("s3://no-such-artifact-bucket/x");
    const error = await refusedWith(repo.put("a.txt", body("x")), "CONFIG_INVALID");
    expect(error.message).toContain('"no-such-artifact-bucket"');
    expect(error.message).toMatch(/--artifacts-destination/);
    await refusedWith(repo.list(), "CONFIG_INVALID");
  });

  it("reads the endpoint from MLFLOW_S3_ENDPOINT_URL before the AWS variables", async () => {
    const repo = new S3ArtifactRepository(`s3://${BUCKET}/env-check`, {
      env: {
        MLFLOW_S3_ENDPOINT_URL: s3.moto.endpoint,
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
      },
    });
    await repo.put("x.txt", body("via mlflow variable"));
    expect(await s3.keys(BUCKET, "env-check/")).toEqual(["env-check/x.txt"]);
  });

  it("opens s3:// URIs and s3:// destinations behind mlflow-artifacts:/", async () => {
    const direct = openArtifactRepository(`s3://${BUCKET}/opened/1/run/artifacts`, { artifactsDestination: "/unused" });
    expect(direct.rootUri).toBe(`s3://${BUCKET}/opened/1/run/artifacts`);
    await direct.put("a.txt", body("direct"));
    const destination = resolveArtifactsDestination(`s3://${BUCKET}/opened`);
    const proxied = openArtifactRepository("mlflow-artifacts:/1/run/artifacts", { artifactsDestination: destination });
    expect(proxied.rootUri).toBe("mlflow-artifacts:/1/run/artifacts");
    expect(await text((await proxied.get("a.txt")).stream)).toBe("direct");
    expect(await proxied.list()).toEqual([{ path: "a.txt", is_dir: false, file_size: 6 }]);
    await refusedWith(proxied.delete(""), "INVALID_PARAMETER_VALUE");
    const whole = openArtifactsDestination(destination, "mlflow-artifacts:/");
    expect(await whole.list()).toEqual([{ path: "1", is_dir: true }]);
  });
});

describe.skipIf(!s3Available)("S3ArtifactRepository refuses hostile paths before any request", () => {
  let s3: S3TestEnv;
  const bucket = "lathe-hostile";

  beforeAll(async () => {
    s3 = await startS3TestEnv();
    await s3.createBucket(bucket);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it.each(HOSTILE_ARTIFACT_PATHS)("%j", async (shape) => {
    const repo = new S3ArtifactRepository(`s3://${bucket}/tenant/1/run/artifacts`);
    await repo.put("keep.txt", body("kept"));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "tenant/1/sentinel.txt", Body: "SENTINEL" }));
    const before = await s3.keys(bucket);
    await refusedWith(repo.put(shape, body("PWNED")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.get(shape), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.list(shape), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete(shape), "INVALID_PARAMETER_VALUE");
    expect(await s3.keys(bucket)).toEqual(before);
  });

  it.each([
    "s3://bucket/a/../../b",
    "s3://bucket/%2e%2e/x",
    "s3://bucket/p#frag",
    "s3://bucket/p?versionId=1",
    "s3:///key",
    "s3://bad bucket/x",
    "s3://user@host:9000/x",
  ])("refuses the artifact URI %j", (uri) => {
    expect(() => new S3ArtifactRepository(uri)).toThrow(LatheError);
    expect(() => openArtifactRepository(uri, { artifactsDestination: "/unused" })).toThrow(
      /Invalid artifact URI|S3 URL/,
    );
  });

  it("refuses a part size below S3's floor and a page size above its ceiling", () => {
    expect(() => new S3ArtifactRepository("s3://bucket/p", { partSize: MIB })).toThrow(/at least 5 MiB/);
    expect(() => new S3ArtifactRepository("s3://bucket/p", { listPageSize: 5000 })).toThrow(/from 1 to 1000/);
  });

  it.each(["gs://bucket/x", "s3://bucket/a/../b", "s3:/bucket"])(
    "refuses --artifacts-destination %j naming the fix",
    (destination) => {
      let error: unknown;
      try {
        resolveArtifactsDestination(destination);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LatheError);
      expect((error as LatheError).code).toBe("CONFIG_INVALID");
      expect((error as LatheError).message).toMatch(/give a folder or s3:\/\/<bucket>\/<prefix>/);
    },
  );
});

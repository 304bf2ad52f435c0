import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRemote, S3Remote, transfer, uploadObjects } from "../../src/data/remotes/index.js";
import { makeObject, md5, rejection } from "./helpers.js";
import { MOTO_HINT, type MotoServer, motoAvailable, startMoto } from "./moto.js";

const MIB = 1024 * 1024;
const available = motoAvailable();
if (!available) console.warn(MOTO_HINT);

describe.skipIf(!available)("S3 remote against moto on loopback", () => {
  let moto: MotoServer;
  let work: string;
  let remote: S3Remote;

  const credentials = { accessKeyId: "testing", secretAccessKey: "testing", region: "us-east-1" };

  beforeAll(async () => {
    moto = await startMoto();
    work = await mkdtemp(join(tmpdir(), "lathe-s3-"));
    remote = new S3Remote("s3://lathe-data/team/dvcstore", {
      ...credentials,
      endpointUrl: moto.endpoint,
      multipartThreshold: 6 * MIB,
      partSize: 5 * MIB,
    });
    const client = await remote.getClient();
    await client.send(new CreateBucketCommand({ Bucket: "lathe-data" }));
  });

  afterAll(async () => {
    await moto?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("round-trips an object under the bucket prefix in the DVC layout", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "hello\n");
    await remote.upload(path, hash);
    const client = await remote.getClient();
    const head = await client.send(
      new HeadObjectCommand({ Bucket: "lathe-data", Key: "team/dvcstore/files/md5/b1/946ac92492d2347c6235b4d2611184" }),
    );
    expect(head.ContentLength).toBe(6);
    const destination = join(work, "cache", "b1", hash.slice(2));
    let bytes = 0;
    await remote.download(hash, destination, { onBytes: (n) => (bytes += n) });
    expect(await readFile(destination, "utf8")).toBe("hello\n");
    expect(bytes).toBe(6);
  });

  it("round-trips a .dir manifest", async () => {
    const manifest = '[{"md5": "1d0258c2440a8d19e716292b231e3190", "relpath": "file"}]';
    const hash = `${md5(manifest)}.dir`;
    await writeFile(join(work, "manifest"), manifest);
    await remote.upload(join(work, "manifest"), hash);
    await remote.download(hash, join(work, "manifest.out"));
    expect(await readFile(join(work, "manifest.out"), "utf8")).toBe(manifest);
  });

  it("reports which objects exist and lists them", async () => {
    const fresh = new S3Remote("s3://lathe-data/exists-test", { ...credentials, endpointUrl: moto.endpoint });
    const a = await makeObject(join(work, "src"), "exists a");
    const b = await makeObject(join(work, "src"), "exists b");
    await fresh.upload(a.path, a.hash);
    await fresh.upload(b.path, b.hash);
    const absent = md5("absent");
    expect(await fresh.exists([a.hash, absent, b.hash])).toEqual(new Set([a.hash, b.hash]));
    const listed: string[] = [];
    for await (const hash of fresh.list()) listed.push(hash);
    expect(listed.sort()).toEqual([a.hash, b.hash].sort());
  });

  it("uploads a file above the threshold in multipart parts", async () => {
    const data = randomBytes(11 * MIB + 123);
    const { path, hash } = await makeObject(join(work, "big"), data);
    let uploaded = 0;
    await remote.upload(path, hash, { onBytes: (n) => (uploaded += n) });
    expect(uploaded).toBe(data.length);
    const client = await remote.getClient();
    const head = await client.send(new HeadObjectCommand({ Bucket: "lathe-data", Key: remote.objectKey(hash) }));
    // A multipart object's ETag is "<md5 of part md5s>-<part count>".
    expect(head.ETag).toMatch(/-3"?$/);
    expect(head.ContentLength).toBe(data.length);
    await remote.download(hash, join(work, "big.out"));
    expect(md5(await readFile(join(work, "big.out")))).toBe(hash);
  });

  it("detects a corrupt object and writes nothing at the destination", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "pristine");
    await remote.upload(path, hash);
    const client = await remote.getClient();
    await client.send(new PutObjectCommand({ Bucket: "lathe-data", Key: remote.objectKey(hash), Body: "tampered" }));
    const target = join(work, "corrupt-dest", "object");
    const error = await rejection(remote.download(hash, target));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain(hash);
    expect(error.message).toContain("s3://lathe-data/team/dvcstore");
    expect(await readdir(join(work, "corrupt-dest"))).toEqual([]);
  });

  it("says a missing object was most likely never pushed", async () => {
    const named = openRemote("s3://lathe-data/team/dvcstore", {
      ...credentials,
      endpointUrl: moto.endpoint,
      name: "storage",
    });
    const hash = md5("never pushed to s3");
    const error = await rejection(named.download(hash, join(work, "missing")));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain(hash);
    expect(error.message).toContain("'storage'");
    expect(error.message).toMatch(/never pushed.*lathe push/);
    expect(existsSync(join(work, "missing"))).toBe(false);
  });

  it("names a bucket that does not exist instead of blaming a missing push", async () => {
    const nowhere = new S3Remote("s3://no-such-bucket/x", { ...credentials, endpointUrl: moto.endpoint });
    const error = await rejection(nowhere.download(md5("x"), join(work, "nowhere")));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain('"no-such-bucket"');
  });

  it("refuses to push a cache file that does not match its hash", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "cache original");
    await writeFile(path, "cache damaged!");
    const error = await rejection(remote.upload(path, hash));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain(hash);
    expect(await remote.exists([hash])).toEqual(new Set());
  });

  it("reads endpoint and credentials from the AWS environment variables", async () => {
    const fromEnv = openRemote("s3://lathe-data/env", {
      env: { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" },
    });
    const { path, hash } = await makeObject(join(work, "src"), "via env");
    await fromEnv.upload(path, hash);
    expect(await fromEnv.exists([hash])).toEqual(new Set([hash]));
  });

  it("transfers 40 objects in parallel", async () => {
    const objects = await Promise.all(
      Array.from({ length: 40 }, (_, index) => makeObject(join(work, "many"), `s3 object ${index}`)),
    );
    const result = await transfer(uploadObjects(remote, objects), { jobs: 8 });
    expect(result.failed).toEqual([]);
    expect((await remote.exists(objects.map((object) => object.hash))).size).toBe(40);
  });
});

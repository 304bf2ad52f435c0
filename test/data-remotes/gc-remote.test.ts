/**
 * Listing and deleting remote objects, and `lathe gc -w -c`, which deletes from a remote every object
 * the workspace does not use: a folder remote, and S3 against moto on loopback.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { addCommand, gcCommand, pushCommand, remoteCommand } from "../../src/data/commands.js";
import { addRemote, modifyRemote } from "../../src/data/remote-config.js";
import { LocalRemote, S3Remote } from "../../src/data/remotes/index.js";
import { forEachBounded } from "../../src/data/remotes/transfer.js";
import { initDataRepo } from "../../src/data/repo.js";
import { runLathe, useTempDirs } from "../data/helpers.js";
import { makeObject, md5, rejection } from "./helpers.js";
import { MOTO_HINT, type MotoServer, motoAvailable, startMoto } from "./moto.js";

const temp = useTempDirs();

async function listed(remote: { list(): AsyncIterable<string> }): Promise<string[]> {
  const hashes: string[] = [];
  for await (const hash of remote.list()) hashes.push(hash);
  return hashes.sort();
}

/** A workspace whose data.csv went through two versions, both pushed to `url` (the default remote). */
async function twoVersionsPushed(url: string, configure?: (root: string) => Promise<void>) {
  const root = await temp(true);
  await initDataRepo(root);
  await remoteCommand((repo) => addRemote(repo, "storage", url, { default: true }), { cwd: root });
  await configure?.(root);
  await writeFile(join(root, "data.csv"), "v1\n");
  await addCommand(["data.csv"], { cwd: root });
  await pushCommand({ cwd: root });
  await writeFile(join(root, "data.csv"), "v2\n");
  await addCommand(["data.csv"], { cwd: root });
  await pushCommand({ cwd: root });
  return { root, v1: md5("v1\n"), v2: md5("v2\n") };
}

describe("a folder remote lists and deletes objects", () => {
  it("deletes the named objects, ignores absent ones, and lists the rest", async () => {
    const root = await temp(false);
    const sources = await temp(false);
    const remote = new LocalRemote(root, root);
    const a = await makeObject(sources, "a");
    const b = await makeObject(sources, "b");
    await remote.upload(a.path, a.hash);
    await remote.upload(b.path, b.hash);
    expect(await listed(remote)).toEqual([a.hash, b.hash].sort());
    await remote.delete([a.hash, md5("never there")]);
    expect(await listed(remote)).toEqual([b.hash]);
    await remote.delete([]);
    expect(await listed(remote)).toEqual([b.hash]);
  });
});

describe("lathe gc -w -c with a folder remote", () => {
  it("deletes from the remote what the workspace no longer uses; --dry deletes nothing", async () => {
    const storage = await temp(false);
    const { root, v1, v2 } = await twoVersionsPushed(storage);
    const remote = new LocalRemote(storage, storage);
    expect(await listed(remote)).toEqual([v1, v2].sort());

    const dry = await gcCommand({ cwd: root, cloud: true, dry: true });
    expect(dry.remote).toEqual({ name: "storage", kept: 1, removed: [v1] });
    expect(await listed(remote)).toEqual([v1, v2].sort());

    const result = await gcCommand({ cwd: root, cloud: true });
    expect(result.removed).toEqual([v1]);
    expect(result.remote).toEqual({ name: "storage", kept: 1, removed: [v1] });
    expect(await listed(remote)).toEqual([v2]);
    expect((await gcCommand({ cwd: root, cloud: true, remote: "storage" })).remote?.removed).toEqual([]);
  });

  it("keeps a directory's manifest and files", async () => {
    const storage = await temp(false);
    const root = await temp(true);
    await initDataRepo(root);
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: root });
    await writeFile(join(root, "extra.txt"), "gone soon");
    await addCommand(["extra.txt"], { cwd: root });
    await pushCommand({ cwd: root });
    await rm(join(root, "extra.txt.dvc"));
    await rm(join(root, "extra.txt"));
    const images = join(root, "images");
    await mkdir(images);
    await writeFile(join(images, "one.txt"), "one");
    await addCommand(["images"], { cwd: root });
    await pushCommand({ cwd: root });
    const result = await gcCommand({ cwd: root, cloud: true });
    expect(result.remote?.removed).toEqual([md5("gone soon")]);
    expect(result.remote?.kept).toBe(2);
  });

  it("refuses -c without a remote, -r without -c, and an unknown remote — before deleting anything", async () => {
    const root = await temp(true);
    await initDataRepo(root);
    await writeFile(join(root, "data.csv"), "v1\n");
    await addCommand(["data.csv"], { cwd: root });
    await writeFile(join(root, "data.csv"), "v2\n");
    await addCommand(["data.csv"], { cwd: root });
    const objects = async () => (await readdir(join(root, ".dvc/cache/files/md5"), { recursive: true })).length;
    const before = await objects();

    const none = await rejection(gcCommand({ cwd: root, cloud: true }));
    expect(none.code).toBe("INVALID_PARAMETER_VALUE");
    expect(none.message).toMatch(/gc -c .* no default remote is set\. Pass -r <name>/);
    const stray = await rejection(gcCommand({ cwd: root, remote: "storage" }));
    expect(stray.message).toMatch(/add -c/);
    const unknown = await rejection(gcCommand({ cwd: root, cloud: true, remote: "elsewhere" }));
    expect(unknown.message).toMatch(/No remote named 'elsewhere'/);
    expect(await objects()).toBe(before);
  });
});

describe("lathe gc -w -c on the command line", () => {
  it("asks before deleting unless -f, refuses off a terminal, and prints both counts", async () => {
    const storage = await temp(false);
    const { root, v1 } = await twoVersionsPushed(storage);
    const stdinTty = process.stdin.isTTY;
    const lathe = (...args: string[]) => runLathe(args, { cwd: root });
    try {
      process.stdin.isTTY = false;
      await expect(lathe("gc", "-w", "-c")).rejects.toThrow(/cache and remote objects .* Pass -f/);
      expect(await listed(new LocalRemote(storage, storage))).toContain(v1);
      expect(await lathe("gc", "-w", "-c", "--dry")).toBe(
        "Would delete 1 object(s) from the cache; kept 1.\nWould delete 1 object(s) from remote 'storage'; kept 1.\n",
      );
      expect(JSON.parse(await lathe("gc", "-w", "-c", "-f", "--json"))).toMatchObject({
        removed: [v1],
        remote: { name: "storage", removed: [v1] },
      });
    } finally {
      process.stdin.isTTY = stdinTty;
    }
  });
});

const available = motoAvailable();
if (!available) console.warn(MOTO_HINT);

describe.skipIf(!available)("S3 remote listing and deleting, against moto", () => {
  let moto: MotoServer;
  let remote: S3Remote;
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing", region: "us-east-1" };

  beforeAll(async () => {
    moto = await startMoto();
    remote = new S3Remote("s3://lathe-gc/store", { ...credentials, endpointUrl: moto.endpoint });
    const client = await remote.getClient();
    await client.send(new CreateBucketCommand({ Bucket: "lathe-gc" }));
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it("lists past one page and deletes in batches of 1000", async () => {
    const client = await remote.getClient();
    const hashes = Array.from({ length: 1003 }, (_, index) => md5(`object ${index}`));
    await forEachBounded(hashes, 32, async (hash) => {
      await client.send(new PutObjectCommand({ Bucket: "lathe-gc", Key: remote.objectKey(hash), Body: "x" }));
    });
    // Keys outside files/md5/ (run-cache, stray files) are not objects.
    await client.send(new PutObjectCommand({ Bucket: "lathe-gc", Key: "store/runs/ab/cd", Body: "x" }));
    expect(await listed(remote)).toEqual([...hashes].sort());
    const send = vi.spyOn(client, "send");
    await remote.delete([...hashes.slice(2), md5("absent")]);
    const requests = send.mock.calls.map(([command]) => command.constructor.name);
    send.mockRestore();
    expect(requests).toEqual(["DeleteObjectsCommand", "DeleteObjectsCommand"]);
    expect(await listed(remote)).toEqual(hashes.slice(0, 2).sort());
    await remote.delete(hashes.slice(0, 2));
    expect(await listed(remote)).toEqual([]);
  });

  it("gc -w -c deletes the old version from the bucket", async () => {
    const url = "s3://lathe-gc/project";
    const { root, v1, v2 } = await twoVersionsPushed(url, async (root) => {
      await remoteCommand(
        async (repo) => {
          await modifyRemote(repo, "storage", "endpointurl", moto.endpoint);
          await modifyRemote(repo, "storage", "access_key_id", "testing", { local: true });
          await modifyRemote(repo, "storage", "secret_access_key", "testing", { local: true });
        },
        { cwd: root },
      );
    });
    const bucket = new S3Remote(url, { ...credentials, endpointUrl: moto.endpoint });
    expect(await listed(bucket)).toEqual([v1, v2].sort());
    const result = await gcCommand({ cwd: root, cloud: true });
    expect(result.remote).toEqual({ name: "storage", kept: 1, removed: [v1] });
    expect(await listed(bucket)).toEqual([v2]);
  });
});

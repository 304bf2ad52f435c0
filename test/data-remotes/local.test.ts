import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  downloadObjects,
  type LocalRemote,
  openRemote,
  remoteObjectPath,
  transfer,
  uploadObjects,
} from "../../src/data/remotes/index.js";
import { makeObject, md5, rejection } from "./helpers.js";

let work: string;
let remote: LocalRemote;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "lathe-remote-"));
  remote = openRemote(join(work, "remote")) as LocalRemote;
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("local remote", () => {
  it("round-trips a file through the DVC object layout", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "hello\n");
    await remote.upload(path, hash);
    expect(hash).toBe("b1946ac92492d2347c6235b4d2611184");
    expect(await readFile(join(work, "remote", "files", "md5", "b1", "946ac92492d2347c6235b4d2611184"), "utf8")).toBe(
      "hello\n",
    );
    const destination = join(work, "cache", "files", "md5", "b1", hash.slice(2));
    await remote.download(hash, destination);
    expect(await readFile(destination, "utf8")).toBe("hello\n");
  });

  it("stores .dir manifests under their suffixed name and checks them against the manifest md5", async () => {
    const manifest =
      '[{"md5": "c4ca4238a0b923820dcc509a6f75849b", "relpath": "1"}, {"md5": "c81e728d9d4c2f636f067f89cc14862c", "relpath": "2"}]';
    const hash = `${md5(manifest)}.dir`;
    expect(hash).toBe("5fb6b29836c388e093ca0715c872fe2a.dir");
    const path = join(work, "manifest");
    await writeFile(path, manifest);
    await remote.upload(path, hash);
    expect(existsSync(join(work, "remote", ...remoteObjectPath(hash).split("/")))).toBe(true);
    await remote.download(hash, join(work, "out.dir"));
    expect(await readFile(join(work, "out.dir"), "utf8")).toBe(manifest);
  });

  it("reports which objects exist and lists them", async () => {
    const a = await makeObject(join(work, "src"), "a");
    const b = await makeObject(join(work, "src"), "b");
    const absent = md5("absent");
    await remote.upload(a.path, a.hash);
    await remote.upload(b.path, b.hash);
    expect(await remote.exists([a.hash, b.hash, absent])).toEqual(new Set([a.hash, b.hash]));
    const listed: string[] = [];
    for await (const hash of remote.list()) listed.push(hash);
    expect(listed.sort()).toEqual([a.hash, b.hash].sort());
  });

  it("exists and list are empty on a remote folder that does not exist yet", async () => {
    expect((await remote.exists([md5("x")])).size).toBe(0);
    const listed: string[] = [];
    for await (const hash of remote.list()) listed.push(hash);
    expect(listed).toEqual([]);
  });

  it("uploads atomically: a damaged source leaves no object and no temp file behind", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "original");
    await writeFile(path, "tampered");
    const error = await rejection(remote.upload(path, hash));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain(hash);
    expect((await remote.exists([hash])).size).toBe(0);
    expect(await readdir(join(work, "remote", "files", "md5", hash.slice(0, 2)))).toEqual([]);
  });

  it("replaces an existing read-only object atomically", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "same bytes");
    await remote.upload(path, hash);
    await chmod(remote.objectPath(hash), 0o444);
    await remote.upload(path, hash);
    expect(await readFile(remote.objectPath(hash), "utf8")).toBe("same bytes");
  });

  it("detects a corrupt object and writes nothing at the destination", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "good data");
    await remote.upload(path, hash);
    await chmod(remote.objectPath(hash), 0o644);
    await writeFile(remote.objectPath(hash), "bad data!");
    const destination = join(work, "cache", "obj");
    const error = await rejection(remote.download(hash, destination));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain(hash);
    expect(error.message).toContain(join(work, "remote"));
    expect(error.message).toContain("corrupt");
    expect(await readdir(join(work, "cache"))).toEqual([]);
  });

  it("keeps the previous destination intact when the download is corrupt", async () => {
    const { path, hash } = await makeObject(join(work, "src"), "v1");
    await remote.upload(path, hash);
    await writeFile(remote.objectPath(hash), "v2");
    const destination = join(work, "dest");
    await writeFile(destination, "previous");
    await rejection(remote.download(hash, destination));
    expect(await readFile(destination, "utf8")).toBe("previous");
  });

  it("says a missing object was most likely never pushed", async () => {
    const hash = md5("never pushed");
    const error = await rejection(openRemote(join(work, "remote"), { name: "origin" }).download(hash, join(work, "d")));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain(hash);
    expect(error.message).toContain("'origin'");
    expect(error.message).toContain("never pushed");
    expect(error.message).toContain("lathe push");
    expect(existsSync(join(work, "d"))).toBe(false);
  });

  it("works with file:// URLs, relative paths and nested prefixes with spaces and non-ASCII", async () => {
    const nested = join(work, "deep", "dir with space", "données");
    const byUrl = openRemote(pathToFileURL(nested).href);
    const { path, hash } = await makeObject(join(work, "src"), "nested");
    await byUrl.upload(path, hash);
    const relative = openRemote(join("deep", "dir with space", "données"), { baseDir: work });
    expect(await relative.exists([hash])).toEqual(new Set([hash]));
    await relative.download(hash, join(work, "out", "n"));
    expect(await readFile(join(work, "out", "n"), "utf8")).toBe("nested");
  });

  it("rejects names that are not object hashes", async () => {
    expect((await rejection(remote.download("../../etc/passwd", join(work, "x")))).code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
    expect(() => remoteObjectPath("D3B07384D113EDEC49EAA6238AD5FF00")).toThrow(/not an object hash/);
  });
});

describe("transfer with a local remote", () => {
  it("pushes and pulls 200 small objects in parallel with progress", async () => {
    const objects = await Promise.all(
      Array.from({ length: 200 }, (_, index) => makeObject(join(work, "src"), `object number ${index}\n`)),
    );
    const sized = objects.map((object, index) => ({ ...object, size: `object number ${index}\n`.length }));
    const totalBytes = sized.reduce((sum, object) => sum + object.size, 0);
    let last = { filesDone: 0, bytesDone: 0, filesTotal: 0, bytesTotal: 0 };
    const pushed = await transfer(uploadObjects(remote, sized), {
      jobs: 8,
      onProgress: (progress) => {
        last = progress;
      },
    });
    expect(pushed.failed).toEqual([]);
    expect(pushed.transferred).toHaveLength(200);
    expect(pushed.bytes).toBe(totalBytes);
    expect(last).toMatchObject({ filesDone: 200, filesTotal: 200, bytesDone: totalBytes, bytesTotal: totalBytes });
    expect((await remote.exists(objects.map((object) => object.hash))).size).toBe(200);

    const cache = join(work, "cache");
    const pulled = await transfer(
      downloadObjects(
        remote,
        sized.map((object) => ({ ...object, path: join(cache, ...remoteObjectPath(object.hash).split("/")) })),
      ),
      { jobs: 16 },
    );
    expect(pulled.failed).toEqual([]);
    const sample = sized[137]!;
    expect(await readFile(join(cache, ...remoteObjectPath(sample.hash).split("/")), "utf8")).toBe(
      "object number 137\n",
    );
  });

  it("reports every failure with its hash and carries on", async () => {
    const good = await makeObject(join(work, "src"), "good");
    await remote.upload(good.path, good.hash);
    const missing = [md5("m1"), md5("m2"), md5("m3")];
    const result = await transfer(
      downloadObjects(remote, [
        { hash: missing[0]!, path: join(work, "d", "0") },
        { hash: good.hash, path: join(work, "d", "good") },
        { hash: missing[1]!, path: join(work, "d", "1") },
        { hash: missing[2]!, path: join(work, "d", "2") },
      ]),
      { jobs: 2 },
    );
    expect(result.transferred).toEqual([good.hash]);
    expect(result.failed.map((failure) => failure.hash).sort()).toEqual([...missing].sort());
    for (const failure of result.failed) expect(failure.error.message).toContain(failure.hash);
  });

  it("never runs more than `jobs` objects at once and validates jobs", async () => {
    let running = 0;
    let peak = 0;
    const objects = Array.from({ length: 30 }, (_, index) => ({
      hash: md5(String(index)),
      run: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
      },
    }));
    await transfer(objects, { jobs: 3 });
    expect(peak).toBe(3);
    await expect(transfer(objects, { jobs: 0 })).rejects.toThrow(/positive integer/);
  });
});

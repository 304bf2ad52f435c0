/**
 * `lathe status -c`: objects compared between the local cache and a folder remote, through the
 * domain call and the command line.
 */
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommand, cloudStatusCommand, pushCommand, remoteCommand } from "../../src/data/commands.js";
import { addRemote } from "../../src/data/remote-config.js";
import { LocalRemote } from "../../src/data/remotes/local.js";
import { initDataRepo } from "../../src/data/repo.js";
import { rejection } from "../data-remotes/helpers.js";
import { makeTempDir, removeTempDir, runLathe } from "./helpers.js";

let root: string;
let storage: string;
let previous: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  storage = await makeTempDir(false);
  previous = process.cwd();
  process.chdir(root);
  await initDataRepo(root);
});
afterEach(async () => {
  process.chdir(previous);
  await removeTempDir(root);
  await removeTempDir(storage);
});

const lathe = (...args: string[]) => runLathe(args);

/** A file and a two-file directory, added, with `storage` as the default remote. */
async function trackData(): Promise<void> {
  await writeFile(join(root, "table.csv"), "a,b\n");
  await mkdir(join(root, "images"));
  await writeFile(join(root, "images/one.txt"), "one");
  await writeFile(join(root, "images/two.txt"), "two");
  await addCommand(["table.csv", "images"], { cwd: root });
  await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: root });
}

/** Deletes an object from the local cache (objects are read-only). */
async function dropFromCache(hash: string): Promise<void> {
  const path = join(root, ".dvc/cache/files/md5", hash.slice(0, 2), hash.slice(2));
  await chmod(path, 0o644);
  await rm(path);
}

describe("lathe status -c", () => {
  it("lists every object as new before a push, and reports in sync after it", async () => {
    await trackData();
    const before = await cloudStatusCommand({ cwd: root });
    expect(before.remote).toBe("storage");
    expect(before.objects.map((object) => [object.path, object.state])).toEqual([
      ["images", "new"],
      ["images/one.txt", "new"],
      ["images/two.txt", "new"],
      ["table.csv", "new"],
    ]);
    expect(JSON.parse(await lathe("status", "-c", "--json"))).toEqual({
      images: "new",
      "images/one.txt": "new",
      "images/two.txt": "new",
      "table.csv": "new",
    });
    await pushCommand({ cwd: root });
    expect((await cloudStatusCommand({ cwd: root, jobs: 2 })).objects).toEqual([]);
    expect(await lathe("status", "-c")).toBe("Cache and remote 'storage' are in sync.\n");
    expect(await lathe("status", "-r", "storage", "--json")).toBe("{}\n");
  });

  it("says deleted for objects only on the remote and missing for objects nowhere", async () => {
    await trackData();
    await pushCommand({ cwd: root });
    const one = "f97c5d29941bfb1b2fdab0874906ab82";
    const table = (await cloudStatusCommand({ cwd: root, targets: ["table.csv"] })).objects;
    expect(table).toEqual([]);
    await dropFromCache(one);
    await rm(new LocalRemote(storage, storage).objectPath("b8a9f715dbb64fd5c56e7783c6820a61"));
    const status = await cloudStatusCommand({ cwd: root });
    expect(status.objects).toEqual([
      { path: "images/one.txt", hash: one, state: "deleted" },
      { path: "images/two.txt", hash: "b8a9f715dbb64fd5c56e7783c6820a61", state: "new" },
    ]);
    await rm(new LocalRemote(storage, storage).objectPath(one));
    expect((await cloudStatusCommand({ cwd: root })).objects[0]).toMatchObject({ state: "missing" });
    expect(await lathe("status", "-c", "images")).toBe("\tmissing:    images/one.txt\n\tnew:        images/two.txt\n");
  });

  it("limits to targets, and names what is wrong with a bad target, remote or -j", async () => {
    await trackData();
    expect((await cloudStatusCommand({ cwd: root, targets: ["table.csv.dvc"] })).objects).toHaveLength(1);
    const target = await rejection(cloudStatusCommand({ cwd: root, targets: ["nope.csv"] }));
    expect(target.message).toMatch(/No \.dvc file tracks nope\.csv/);
    const remote = await rejection(cloudStatusCommand({ cwd: root, remote: "elsewhere" }));
    expect(remote.message).toMatch(/No remote named 'elsewhere'.*lathe remote add elsewhere/);
    await expect(lathe("status", "-c", "-j", "0")).rejects.toThrow(/-j must be a positive whole number/);
  });

  it("refuses without any remote, saying how to add one", async () => {
    await writeFile(join(root, "table.csv"), "a,b\n");
    await addCommand(["table.csv"], { cwd: root });
    const error = await rejection(cloudStatusCommand({ cwd: root }));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/no default remote set.*lathe remote add -d/);
  });
});

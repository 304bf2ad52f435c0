/**
 * Crash safety: `lathe add`, `push`, `pull` and `checkout` killed midway (SIGKILL, no chance to
 * clean up) leave no partial object under an object name, in the cache or on the remote, and no
 * torn `.dvc` file; running the same command again completes, and the workspace is consistent.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addCommand,
  checkoutCommand,
  pullCommand,
  pushCommand,
  remoteCommand,
  statusCommand,
} from "../../src/data/commands.js";
import { hashFile } from "../../src/data/hash.js";
import { addRemote } from "../../src/data/remote-config.js";
import { initDataRepo } from "../../src/data/repo.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  await initDataRepo(root);
});
afterEach(async () => removeTempDir(root));

async function everyObjectMatchesItsName(cacheRoot: string): Promise<number> {
  let count = 0;
  for (const prefix of await readdir(cacheRoot).catch(() => [] as string[]))
    for (const rest of await readdir(join(cacheRoot, prefix))) {
      if (rest.endsWith(".dir") || rest.startsWith(".")) continue;
      expect((await hashFile(join(cacheRoot, prefix, rest))).md5).toBe(`${prefix}${rest}`);
      count++;
    }
  return count;
}

const PARTS = 120;
const main = join(import.meta.dirname, "../../src/cli/main.ts");

/** Writes 120 distinct 512 KiB files under `big/`. */
async function makeBigDirectory(): Promise<void> {
  await mkdir(join(root, "big"));
  const chunk = Buffer.alloc(512 * 1024);
  for (let index = 0; index < PARTS; index++) {
    chunk.writeUInt32LE(index, 0);
    await writeFile(join(root, "big", `part-${index}.bin`), chunk);
  }
}

/** Runs `lathe <args>` in the repository and kills it once `progressed()` holds (or it exits). */
async function killMidway(args: string[], progressed: () => Promise<boolean>): Promise<void> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), main, ...args], { cwd: root });
  let exited = false;
  const exit = new Promise((resolve) =>
    child.on("exit", (code) => {
      exited = true;
      resolve(code);
    }),
  );
  for (let waited = 0; waited < 30_000 && !exited; waited += 10) {
    if (await progressed()) break;
    await sleep(10);
  }
  child.kill("SIGKILL");
  await exit;
}

async function countFiles(folder: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []))
    if (entry.isFile()) count++;
  return count;
}

/** Every file under `big/` has the bytes `makeBigDirectory` wrote. */
async function workspaceIsWhole(): Promise<void> {
  const names = (await readdir(join(root, "big"))).sort();
  expect(names).toHaveLength(PARTS);
  const chunk = Buffer.alloc(512 * 1024);
  for (let index = 0; index < PARTS; index++) {
    chunk.writeUInt32LE(index, 0);
    expect((await readFile(join(root, "big", `part-${index}.bin`))).equals(chunk)).toBe(true);
  }
}

describe("crash safety", () => {
  it("a killed add leaves only whole objects, and a second add completes", async () => {
    await mkdir(join(root, "big"));
    const chunk = Buffer.alloc(512 * 1024);
    for (let index = 0; index < 120; index++) {
      chunk.writeUInt32LE(index, 0);
      await writeFile(join(root, "big", `part-${index}.bin`), chunk);
    }
    const main = join(import.meta.dirname, "../../src/cli/main.ts");
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), main, "add", "big"], { cwd: root });
    const exit = new Promise((resolve) => child.on("exit", resolve));
    const objects = join(root, ".dvc/cache/files/md5");
    for (let waited = 0; waited < 20_000; waited += 20) {
      if ((await readdir(objects).catch(() => [])).length >= 5) break;
      await sleep(20);
    }
    child.kill("SIGKILL");
    await exit;
    await everyObjectMatchesItsName(objects);
    const pointer = await readFile(join(root, "big.dvc"), "utf8").catch(() => "");
    expect(pointer === "" || pointer.includes("nfiles: 120")).toBe(true);
    await addCommand(["big"], { cwd: root });
    expect(await everyObjectMatchesItsName(objects)).toBe(120);
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("a temporary link a killed checkout left is not data: status skips it, checkout deletes it", async () => {
    await mkdir(join(root, "d"));
    await writeFile(join(root, "d", "a.txt"), "a\n");
    await writeFile(join(root, "one.txt"), "one\n");
    await addCommand(["d", "one.txt"], { cwd: root });
    const leftovers = [join(root, "d", ".a.txt.0123456789ab.lathe-tmp"), join(root, ".one.txt.0123456789ab.lathe-tmp")];
    for (const leftover of leftovers) await writeFile(leftover, "torn");
    expect(await statusCommand([], { cwd: root })).toEqual([]);
    await checkoutCommand([], { cwd: root, relink: true });
    for (const leftover of leftovers) await expect(readFile(leftover)).rejects.toThrow(/ENOENT/);
  });

  describe("with a pushed directory", () => {
    let remote: string;
    beforeEach(async () => {
      await makeBigDirectory();
      await addCommand(["big"], { cwd: root });
      remote = join(root, "..", `${root.split("/").pop()}-remote`);
      await remoteCommand((repo) => addRemote(repo, "storage", remote, { default: true }), { cwd: root });
    });
    afterEach(async () => {
      await mkdir(remote, { recursive: true });
      await removeTempDir(remote);
    });

    it("a killed push leaves only whole objects on the remote, and a second push completes", async () => {
      const objects = join(remote, "files/md5");
      await killMidway(["push", "-j", "2"], async () => (await countFiles(objects)) >= 10);
      const before = await everyObjectMatchesItsName(objects);
      expect(before).toBeLessThanOrEqual(PARTS + 1);
      const result = await pushCommand({ cwd: root });
      expect(result.transferred + result.upToDate).toBe(PARTS + 1);
      expect(await everyObjectMatchesItsName(objects)).toBe(PARTS);
    });

    it("a killed pull leaves a whole cache and workspace, and a second pull completes", async () => {
      await pushCommand({ cwd: root });
      await removeTempDir(join(root, ".dvc/cache"));
      await removeTempDir(join(root, "big"));
      const objects = join(root, ".dvc/cache/files/md5");
      await killMidway(["pull", "-j", "2"], async () => (await countFiles(objects)) >= 10);
      await everyObjectMatchesItsName(objects);
      await pullCommand({ cwd: root });
      expect(await everyObjectMatchesItsName(objects)).toBe(PARTS);
      await workspaceIsWhole();
      expect(await statusCommand([], { cwd: root })).toEqual([]);
    });

    it("a killed checkout leaves no torn file, and a second checkout completes", async () => {
      await removeTempDir(join(root, "big"));
      await killMidway(["checkout"], async () => (await countFiles(join(root, "big"))) >= 10);
      // Whatever the kill left, each file present under its own name is whole.
      const chunk = Buffer.alloc(512 * 1024);
      for (const name of await readdir(join(root, "big")).catch(() => [] as string[])) {
        if (!name.startsWith("part-")) continue;
        chunk.writeUInt32LE(Number(name.slice(5, -4)), 0);
        expect((await readFile(join(root, "big", name))).equals(chunk)).toBe(true);
      }
      await checkoutCommand([], { cwd: root });
      await workspaceIsWhole();
      expect(await statusCommand([], { cwd: root })).toEqual([]);
    });
  });
});

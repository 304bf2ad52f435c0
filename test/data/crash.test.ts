/**
 * Crash safety: a `lathe add` killed midway leaves no partial object under an object name and no
 * torn `.dvc` file; running it again completes.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommand, statusCommand } from "../../src/data/commands.js";
import { hashFile } from "../../src/data/hash.js";
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
});

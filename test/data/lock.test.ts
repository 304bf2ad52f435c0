/**
 * The repository lock: writers wait for each other (with a message) instead of failing, readers
 * share, a lock left by a dead process is taken over; and a real second `lathe` process waits.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock } from "../../src/data/lock.js";
import { initDataRepo } from "../../src/data/repo.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let root: string;
let tmp: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  await initDataRepo(root);
  tmp = join(root, ".dvc/tmp");
});
afterEach(async () => removeTempDir(root));

describe("repository lock", () => {
  it("makes a second writer wait with a message, then proceed", async () => {
    const first = await acquireLock(tmp, "write", { pollMs: 10 });
    const messages: string[] = [];
    let acquired = false;
    const second = acquireLock(tmp, "write", { pollMs: 10, onWait: (message) => messages.push(message) }).then(
      (lock) => {
        acquired = true;
        return lock;
      },
    );
    await sleep(100);
    expect(acquired).toBe(false);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/Waiting for another lathe process \(pid \d+/);
    await first.release();
    await (await second).release();
    expect(acquired).toBe(true);
  });

  it("lets readers share and makes them wait for a writer", async () => {
    const readerA = await acquireLock(tmp, "read", { pollMs: 10 });
    const readerB = await acquireLock(tmp, "read", { pollMs: 10 });
    let writing = false;
    const writer = acquireLock(tmp, "write", { pollMs: 10, onWait: () => {} }).then((lock) => {
      writing = true;
      return lock;
    });
    await sleep(80);
    expect(writing).toBe(false);
    await readerA.release();
    await readerB.release();
    const held = await writer;
    let reading = false;
    const reader = acquireLock(tmp, "read", { pollMs: 10, onWait: () => {} }).then((lock) => {
      reading = true;
      return lock;
    });
    await sleep(80);
    expect(reading).toBe(false);
    await held.release();
    await (await reader).release();
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    const deadPid = Number(execFileSync("sh", ["-c", "echo $$"]).toString().trim());
    await writeFile(join(tmp, "lock"), JSON.stringify({ pid: deadPid, cmd: "killed" }));
    const lock = await acquireLock(tmp, "write", { pollMs: 10, onWait: () => expect.unreachable() });
    expect(JSON.parse(await readFile(join(tmp, "lock"), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("makes a second lathe process wait instead of failing", async () => {
    await writeFile(join(root, "a.csv"), "a");
    const lock = await acquireLock(tmp, "write");
    const main = join(import.meta.dirname, "../../src/cli/main.ts");
    const tsx = import.meta.resolve("tsx");
    const child = spawn(process.execPath, ["--import", tsx, main, "add", "a.csv"], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
    for (let waited = 0; !stderr.includes("Waiting") && waited < 15_000; waited += 50) await sleep(50);
    expect(stderr).toContain("Waiting for another lathe process");
    await lock.release();
    expect(await exit).toBe(0);
    expect(await readFile(join(root, "a.csv.dvc"), "utf8")).toContain("path: a.csv");
  });
});

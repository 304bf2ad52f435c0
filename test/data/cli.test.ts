/**
 * The data commands through the `lathe` command tree, in-process: JSON output, prompts and the
 * messages users see.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir, runLathe } from "./helpers.js";

let root: string;
let previous: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  previous = process.cwd();
  process.chdir(root);
});
afterEach(async () => {
  process.chdir(previous);
  await removeTempDir(root);
});

const lathe = (...args: string[]) => runLathe(args, { tty: false });

describe("lathe data commands", () => {
  it("init, add, status --json, checkout and gc -w -f", async () => {
    expect(await lathe("init")).toContain("Initialized a data repository");
    await writeFile(join(root, "a.csv"), "a");
    const added = JSON.parse(await lathe("add", "a.csv", "--json")) as { pointer: string }[];
    expect(added[0]?.pointer).toBe("a.csv.dvc");
    expect(JSON.parse(await lathe("status", "--json"))).toEqual([]);
    await writeFile(join(root, "a.csv"), "b");
    expect(JSON.parse(await lathe("status", "--json"))).toEqual([
      { pointer: "a.csv.dvc", path: "a.csv", state: "modified" },
    ]);
    await lathe("add", "a.csv");
    expect(JSON.parse(await lathe("gc", "-w", "-f", "--json"))).toMatchObject({
      kept: 1,
      removed: [expect.any(String)],
    });
  });

  it("status in words: up to date, then what changed, with no pipeline mentioned", async () => {
    await lathe("init");
    await writeFile(join(root, "a.csv"), "a");
    await lathe("add", "a.csv");
    const onTerminal = () => runLathe(["status"], { tty: true });
    expect(await onTerminal()).toBe("Data is up to date.\n");
    await writeFile(join(root, "a.csv"), "b");
    expect(await onTerminal()).toBe("modified:     a.csv\t[a.csv.dvc]\n");
  });

  it("gc without -f off a terminal refuses and says to pass -f; without -w asks for a scope", async () => {
    await lathe("init");
    const tty = process.stdin.isTTY;
    process.stdin.isTTY = false;
    try {
      await expect(lathe("gc", "-w")).rejects.toThrow(/Pass -f/);
    } finally {
      process.stdin.isTTY = tty;
    }
    await expect(lathe("gc", "-f")).rejects.toThrow(/--workspace/);
  });
});

/**
 * The data commands see pipeline outputs recorded in dvc.lock: checkout restores them, gc keeps
 * their objects, push and pull move them.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkoutCommand, gcCommand, pullCommand, pushCommand } from "../../src/data/commands.js";
import { md5Hex } from "../../src/data/hash.js";
import { makeRepo, read, removeRepo, repro, writeFiles } from "./helpers.js";

let root: string;
let remote: string;
beforeEach(async () => {
  root = await makeRepo();
  remote = await mkdtemp(join(tmpdir(), "lathe-remote-"));
  await writeFiles(root, {
    ".dvc/config": `[core]\n    remote = store\n['remote "store"']\n    url = ${remote}\n`,
    "dvc.yaml":
      "stages:\n  make:\n    cmd: mkdir -p out && echo a > out/a && echo b > model.bin && echo 1 > metrics.json\n    deps: [in.txt]\n    outs: [out, model.bin]\n    metrics:\n      - metrics.json: {cache: false}\n",
    "in.txt": "in\n",
  });
  await repro(root);
});
afterEach(async () => {
  await removeRepo(root);
  await removeRepo(remote);
});

describe("pipeline outputs in the data commands", () => {
  it("checkout restores a deleted stage output from the cache", async () => {
    await rm(join(root, "model.bin"));
    await rm(join(root, "out"), { recursive: true });
    const result = await checkoutCommand([], { cwd: root });
    expect(result.added.sort()).toEqual(["model.bin", "out"]);
    expect(await read(root, "out/a")).toBe("a\n");
  });

  it("gc keeps the objects dvc.lock uses", async () => {
    const result = await gcCommand({ cwd: root });
    // Kept: out/a, the .dir manifest of out, model.bin. The copy of the uncached metrics file made
    // for the run-cache is not a workspace output, so gc drops it, as DVC's gc does.
    expect(result.kept).toBe(3);
    expect(result.removed).toEqual([md5Hex("1\n")]);
  });

  it("push uploads them and pull brings them back into a fresh clone", async () => {
    const pushed = await pushCommand({ cwd: root });
    expect(pushed.transferred).toBeGreaterThanOrEqual(3);
    const md5 = md5Hex("b\n");
    await stat(join(remote, "files/md5", md5.slice(0, 2), md5.slice(2)));
    const clone = await mkdtemp(join(tmpdir(), "lathe-clone-"));
    try {
      for (const name of ["dvc.yaml", "dvc.lock", "in.txt", "metrics.json", ".dvc"])
        await cp(join(root, name), join(clone, name), { recursive: true });
      execFileSync("chmod", ["-R", "u+w", clone]);
      await rm(join(clone, ".dvc/cache"), { recursive: true, force: true });
      await rm(join(clone, ".dvc/tmp"), { recursive: true, force: true });
      await pullCommand({ cwd: clone });
      expect(await read(clone, "model.bin")).toBe("b\n");
      expect(await readdir(join(clone, "out"))).toEqual(["a"]);
      expect((await repro(clone)).ran).toEqual([]);
    } finally {
      await removeRepo(clone);
    }
  });
});

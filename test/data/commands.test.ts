/**
 * init, add, status, checkout and gc on real temporary git repositories.
 */
import { execFileSync } from "node:child_process";
import { lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { addCommand, checkoutCommand, gcCommand, statusCommand } from "../../src/data/commands.js";
import { md5Hex } from "../../src/data/hash.js";
import { buildManifest } from "../../src/data/manifest.js";
import { initDataRepo } from "../../src/data/repo.js";
import { openWorkspace } from "../../src/data/workspace.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  await initDataRepo(root);
});
afterEach(async () => removeTempDir(root));

const at = (...parts: string[]) => join(root, ...parts);
const object = (md5: string) => at(".dvc/cache/files/md5", md5.slice(0, 2), md5.slice(2));

describe("lathe init", () => {
  it("lays out .dvc/ as dvc init does", async () => {
    expect(await readFile(at(".dvc/.gitignore"), "utf8")).toBe("/config.local\n/tmp\n/cache\n");
    expect(await readFile(at(".dvc/config"), "utf8")).toBe("");
    await expect(initDataRepo(root)).rejects.toThrow(/already exists.*--force/);
  });

  it("outside a git repository says so and how to fix it; --no-scm is allowed", async () => {
    const plain = await makeTempDir(false);
    try {
      await expect(initDataRepo(plain)).rejects.toThrow(/not a git repository.*git init.*--no-scm/);
      await initDataRepo(plain, { noScm: true });
      expect(await readFile(join(plain, ".dvc/config"), "utf8")).toContain("no_scm = True");
    } finally {
      await removeTempDir(plain);
    }
  });

  it("commands outside a data repository point at lathe init", async () => {
    const plain = await makeTempDir(true);
    try {
      await expect(statusCommand([], { cwd: plain })).rejects.toThrow(/not inside a data repository.*lathe init/);
    } finally {
      await removeTempDir(plain);
    }
  });
});

describe("lathe add", () => {
  it("reports progress against totals known once each path is walked, for an ETA", async () => {
    await mkdir(at("d"));
    for (const name of ["a", "b", "c"]) await writeFile(at(`d/${name}`), name.repeat(10));
    await writeFile(at("one"), "12345");
    const seen: { files: number; bytes: number; totalFiles?: number; totalBytes?: number }[] = [];
    await addCommand(["d", "one"], { cwd: root, onProgress: (progress) => seen.push({ ...progress }) });
    expect(seen[0]).toEqual({ files: 1, bytes: 10, totalFiles: 3, totalBytes: 30 });
    expect(seen.at(-1)).toEqual({ files: 4, bytes: 35, totalFiles: 4, totalBytes: 35 });
  });

  it("tracks a file: .dvc bytes as DVC writes them, read-only cache object, .gitignore entry", async () => {
    await mkdir(at("data"));
    await writeFile(at("data/data.csv"), "a,b\n1,2\n");
    const [result] = await addCommand(["data/data.csv"], { cwd: root });
    const md5 = md5Hex("a,b\n1,2\n");
    expect(result).toMatchObject({ path: "data/data.csv", pointer: "data/data.csv.dvc", md5, size: 8 });
    expect(await readFile(at("data/data.csv.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${md5}\n  size: 8\n  hash: md5\n  path: data.csv\n`,
    );
    expect(await readFile(object(md5), "utf8")).toBe("a,b\n1,2\n");
    expect((await stat(object(md5))).mode & 0o222).toBe(0);
    expect(await readFile(at("data/.gitignore"), "utf8")).toBe("/data.csv\n");
    await addCommand(["data/data.csv"], { cwd: root });
    expect(await readFile(at("data/.gitignore"), "utf8")).toBe("/data.csv\n");
    expect(
      execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: root }).toString(),
    ).not.toMatch(/data\.csv$/m);
  });

  it("tracks a nested directory with empty files, empty folders, spaces and non-ASCII names", async () => {
    await mkdir(at("images/sub dir/ünïcödé"), { recursive: true });
    await mkdir(at("images/empty/deeper"), { recursive: true });
    await writeFile(at("images/a.txt"), "a");
    await writeFile(at("images/empty.bin"), "");
    await writeFile(at("images/sub dir/ünïcödé/日本.txt"), "jp");
    const [result] = await addCommand([at("images")], { cwd: root });
    const expected = buildManifest([
      { relpath: "a.txt", md5: md5Hex("a"), size: 1 },
      { relpath: "empty.bin", md5: md5Hex(""), size: 0 },
      { relpath: "sub dir/ünïcödé/日本.txt", md5: md5Hex("jp"), size: 2 },
    ]);
    expect(result).toMatchObject({ md5: expected.md5, size: 3, nfiles: 3 });
    expect(await readFile(object(expected.md5), "utf8")).toBe(expected.text);
    expect(await readFile(at("images.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${expected.md5}\n  size: 3\n  nfiles: 3\n  hash: md5\n  path: images\n`,
    );
    expect(await readFile(object(md5Hex("jp")), "utf8")).toBe("jp");
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("tracks a file with spaces and non-ASCII in its name", async () => {
    await writeFile(at("my données.csv"), "x");
    await addCommand(["my données.csv"], { cwd: root });
    expect(await readFile(at("my données.csv.dvc"), "utf8")).toContain("  path: my données.csv\n");
    expect(await readFile(at(".gitignore"), "utf8")).toBe("/my données.csv\n");
  });

  it("refuses files git already tracks, missing paths and paths outside the repository", async () => {
    await writeFile(at("code.py"), "print()");
    execFileSync("git", ["add", "code.py"], { cwd: root });
    await expect(addCommand(["code.py"], { cwd: root })).rejects.toThrow(/git already tracks it.*git rm -r --cached/);
    await expect(addCommand(["nope"], { cwd: root })).rejects.toThrow(/no such file/);
    await expect(addCommand(["/tmp"], { cwd: root })).rejects.toThrow(/must be inside/);
    await mkdir(at("dir"));
    await writeFile(at("dir/x"), "x");
    await addCommand(["dir"], { cwd: root });
    await expect(addCommand(["dir/x"], { cwd: root })).rejects.toThrow(/overlaps 'dir', already tracked by dir\.dvc/);
  });

  it("never hashes an unchanged file twice", async () => {
    await mkdir(at("d"));
    for (let index = 0; index < 5; index++) await writeFile(at("d", `f${index}`), `content ${index}`);
    await addCommand(["d"], { cwd: root });
    const workspace = await openWorkspace(root);
    try {
      const { dataStatus } = await import("../../src/data/status.js");
      expect(await dataStatus(workspace, [], root)).toEqual([]);
      expect(workspace.state.hashedCount).toBe(0);
      await writeFile(at("d/f1"), "changed");
      await dataStatus(workspace, [], root);
      expect(workspace.state.hashedCount).toBe(1);
    } finally {
      workspace.close();
    }
  });
});

describe("lathe status", () => {
  it("reports modified, deleted and new outputs, with per-file detail for directories", async () => {
    await writeFile(at("a.csv"), "1");
    await writeFile(at("b.csv"), "2");
    await mkdir(at("dir"));
    await writeFile(at("dir/x"), "x");
    await writeFile(at("dir/y"), "y");
    await addCommand(["a.csv", "b.csv", "dir"], { cwd: root });
    await writeFile(at("a.csv"), "changed after add");
    await rm(at("b.csv"));
    await writeFile(at("dir/x"), "x2");
    await rm(at("dir/y"));
    await writeFile(at("dir/z"), "z");
    await writeFile(at("c.csv.dvc"), "outs:\n- path: c.csv\n");
    await writeFile(at("c.csv"), "c");
    const changes = await statusCommand([], { cwd: root });
    expect(changes).toEqual([
      { pointer: "a.csv.dvc", path: "a.csv", state: "modified" },
      { pointer: "b.csv.dvc", path: "b.csv", state: "deleted" },
      { pointer: "c.csv.dvc", path: "c.csv", state: "new" },
      { pointer: "dir.dvc", path: "dir", state: "modified", files: { added: ["z"], modified: ["x"], deleted: ["y"] } },
    ]);
    expect(await statusCommand(["a.csv"], { cwd: root })).toHaveLength(1);
  });

  it("reports objects missing from the cache", async () => {
    await writeFile(at("a.csv"), "1");
    const [result] = await addCommand(["a.csv"], { cwd: root });
    await rm(object(result!.md5), { force: true });
    expect(await statusCommand([], { cwd: root })).toEqual([
      { pointer: "a.csv.dvc", path: "a.csv", state: "not in cache" },
    ]);
  });

  it("names a malformed .dvc file", async () => {
    await writeFile(at("broken.dvc"), "outs: nope\n");
    await expect(statusCommand([], { cwd: root })).rejects.toThrow(/broken\.dvc is not a valid \.dvc file/);
  });

  it("names a malformed .dvc/config", async () => {
    await writeFile(at(".dvc/config"), "[core\nremote\n");
    await expect(statusCommand([], { cwd: root })).rejects.toThrow(LatheError);
    await expect(statusCommand([], { cwd: root })).rejects.toThrow(/\.dvc\/config line 1/);
  });
});

describe("lathe checkout", () => {
  it("restores deleted files and directories from the cache and leaves matching ones alone", async () => {
    await writeFile(at("a.csv"), "a");
    await mkdir(at("dir/sub"), { recursive: true });
    await writeFile(at("dir/sub/x"), "x");
    await writeFile(at("dir/y"), "y");
    await addCommand(["a.csv", "dir"], { cwd: root });
    await rm(at("a.csv"));
    await rm(at("dir"), { recursive: true });
    const result = await checkoutCommand([], { cwd: root });
    expect(result.added.sort()).toEqual(["a.csv", "dir"]);
    expect(await readFile(at("a.csv"), "utf8")).toBe("a");
    expect(await readFile(at("dir/sub/x"), "utf8")).toBe("x");
    await writeFile(at("a.csv"), "edited in place");
    expect(await readFile(object(md5Hex("a")), "utf8")).toBe("a");
    expect((await checkoutCommand(["dir"], { cwd: root })).added).toEqual([]);
  });

  it("refuses to discard uncached workspace edits unless forced, and removes extra files", async () => {
    await writeFile(at("a.csv"), "a");
    await addCommand(["a.csv"], { cwd: root });
    await writeFile(at("a.csv"), "unsaved work");
    await expect(checkoutCommand([], { cwd: root })).rejects.toThrow(/lathe add.*--force/);
    expect(await readFile(at("a.csv"), "utf8")).toBe("unsaved work");
    expect((await checkoutCommand([], { cwd: root, force: true })).modified).toEqual(["a.csv"]);
    expect(await readFile(at("a.csv"), "utf8")).toBe("a");
  });

  it.each(["hardlink", "symlink", "copy"])("links with [cache] type = %s", async (type) => {
    await writeFile(at(".dvc/config"), `[cache]\n    type = ${type}\n`);
    await writeFile(at("a.csv"), "a");
    await addCommand(["a.csv"], { cwd: root });
    const target = object(md5Hex("a"));
    const check = async () => {
      const info = await lstat(at("a.csv"));
      if (type === "symlink") expect(await readlink(at("a.csv"))).toBe(target);
      else if (type === "hardlink") expect(info.ino).toBe((await stat(target)).ino);
      else expect(info.ino).not.toBe((await stat(target)).ino);
    };
    await check();
    await rm(at("a.csv"));
    await checkoutCommand([], { cwd: root });
    await check();
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("names objects missing from the cache and changes nothing for them", async () => {
    await writeFile(at("a.csv"), "a");
    await addCommand(["a.csv"], { cwd: root });
    await rm(at("a.csv"));
    await rm(object(md5Hex("a")), { force: true });
    await expect(checkoutCommand([], { cwd: root })).rejects.toThrow(/a\.csv \(md5 0cc175b9c0f1b6a831c399e269772661\)/);
  });
});

describe("edge cases", () => {
  it("tracks and restores an empty directory", async () => {
    await mkdir(at("empty"));
    const [result] = await addCommand(["empty"], { cwd: root });
    expect(result).toMatchObject({ md5: `${md5Hex("[]")}.dir`, size: 0, nfiles: 0 });
    await rm(at("empty"), { recursive: true });
    expect(await statusCommand([], { cwd: root })).toEqual([{ pointer: "empty.dvc", path: "empty", state: "deleted" }]);
    expect((await checkoutCommand([], { cwd: root })).added).toEqual(["empty"]);
    expect((await stat(at("empty"))).isDirectory()).toBe(true);
  });

  it("tracks a symlink to a file by the content it points to", async () => {
    await mkdir(at("real"));
    await writeFile(at("real/target.csv"), "target");
    await symlink(at("real/target.csv"), at("link.csv"));
    const [result] = await addCommand(["link.csv"], { cwd: root });
    expect(result?.md5).toBe(md5Hex("target"));
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("does not re-hash what checkout just placed", async () => {
    await writeFile(at("a.csv"), "a");
    await addCommand(["a.csv"], { cwd: root });
    await rm(at("a.csv"));
    await checkoutCommand([], { cwd: root });
    const workspace = await openWorkspace(root);
    try {
      const { dataStatus } = await import("../../src/data/status.js");
      expect(await dataStatus(workspace, [], root)).toEqual([]);
      expect(workspace.state.hashedCount).toBe(0);
    } finally {
      workspace.close();
    }
  });
});

describe("a DVC 2 (legacy) entry", () => {
  it("is compared with md5-dos2unix, found in the legacy cache layout, checked out and kept by gc", async () => {
    const legacyMd5 = "dd8c6a395b5dd36c56d23275028f526c"; // reference/dvc.md §2.2 for "a\r\nb\r\n"
    await writeFile(at("old.txt"), "a\r\nb\r\n");
    await writeFile(at("old.txt.dvc"), `outs:\n- md5: ${legacyMd5}\n  size: 6\n  path: old.txt\n`);
    await mkdir(at(".dvc/cache/dd"), { recursive: true });
    await writeFile(at(".dvc/cache/dd", legacyMd5.slice(2)), "a\r\nb\r\n");
    expect(await statusCommand([], { cwd: root })).toEqual([]);
    await rm(at("old.txt"));
    expect((await checkoutCommand([], { cwd: root })).added).toEqual(["old.txt"]);
    expect(await readFile(at("old.txt"), "utf8")).toBe("a\r\nb\r\n");
    await gcCommand({ cwd: root });
    expect(await readFile(at(".dvc/cache/dd", legacyMd5.slice(2)), "utf8")).toBe("a\r\nb\r\n");
    await writeFile(at("old.txt"), "changed\r\n");
    expect(await statusCommand([], { cwd: root })).toEqual([
      { pointer: "old.txt.dvc", path: "old.txt", state: "modified" },
    ]);
  });
});

describe("lathe gc --workspace", () => {
  it("deletes unreferenced objects and keeps every referenced one, directory contents included", async () => {
    await writeFile(at("a.csv"), "v1");
    await mkdir(at("dir"));
    await writeFile(at("dir/x"), "x");
    await addCommand(["a.csv", "dir"], { cwd: root });
    await writeFile(at("a.csv"), "v2");
    await addCommand(["a.csv"], { cwd: root });
    await writeFile(at(".dvc/cache/tmp/left-by-a-killed-add.tmp"), "partial");
    const dry = await gcCommand({ cwd: root, dry: true });
    expect(dry.removed).toEqual([md5Hex("v1")]);
    const result = await gcCommand({ cwd: root });
    expect(result).toEqual({ kept: 3, removed: [md5Hex("v1")] });
    expect(await readdir(at(".dvc/cache/tmp"))).toEqual([]);
    await rm(at("dir"), { recursive: true });
    await rm(at("a.csv"));
    await checkoutCommand([], { cwd: root });
    expect(await readFile(at("a.csv"), "utf8")).toBe("v2");
    expect(await readFile(at("dir/x"), "utf8")).toBe("x");
  });
});

/**
 * Warm `lathe status` reuses what it learnt: a directory whose files kept their stats reuses its
 * manifest, and a directory seen complete in the cache is not checked object by object while the
 * cache folders are unchanged. These tests show each shortcut still notices every change.
 */
import { chmod, mkdir, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommand, statusCommand } from "../../src/data/commands.js";
import { parsePointer } from "../../src/data/pointer.js";
import { initDataRepo } from "../../src/data/repo.js";
import { HashState } from "../../src/data/state.js";
import { hashPath } from "../../src/data/walk.js";
import { openWorkspace } from "../../src/data/workspace.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeTempDir(true);
  await initDataRepo(root);
  await mkdir(join(root, "images", "cats"), { recursive: true });
  for (let index = 0; index < 20; index++)
    await writeFile(join(root, "images", index % 2 ? "cats" : "", `${index}.txt`), `image ${index}\n`);
  await addCommand(["images"], { cwd: root });
  await statusCommand([], { cwd: root }); // Warm: the manifest and completeness are remembered.
});
afterEach(async () => removeTempDir(root));

async function hashedFiles(): Promise<number> {
  const workspace = await openWorkspace(root);
  try {
    await hashPath(join(root, "images"), workspace.ignore, workspace.state);
    return workspace.state.hashedCount;
  } finally {
    workspace.close();
  }
}

describe("warm status", () => {
  it("reads no file when nothing changed", async () => {
    expect(await hashedFiles()).toBe(0);
    expect(await statusCommand([], { cwd: root })).toEqual([]);
  });

  it("notices an edit that keeps the size, and re-hashes only that file", async () => {
    const file = join(root, "images", "cats", "1.txt");
    await writeFile(file, "image X\n");
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await hashedFiles()).toBe(1);
    const [change] = await statusCommand([], { cwd: root });
    expect(change).toMatchObject({ path: "images", state: "modified", files: { modified: ["cats/1.txt"] } });
  });

  it("notices an added and a deleted file", async () => {
    await writeFile(join(root, "images", "new.txt"), "new\n");
    await rm(join(root, "images", "0.txt"));
    const [change] = await statusCommand([], { cwd: root });
    expect(change).toMatchObject({ state: "modified", files: { added: ["new.txt"], deleted: ["0.txt"] } });
  });

  it("notices an object removed from the cache after a clean status", async () => {
    const workspace = await openWorkspace(root);
    const current = await hashPath(join(root, "images"), workspace.ignore, workspace.state);
    workspace.close();
    if (current?.kind !== "dir") throw new Error("expected a directory");
    const object = join(root, ".dvc/cache/files/md5", current.manifest.entries[3]!.md5.slice(0, 2));
    await chmod(object, 0o755);
    await rm(join(object, current.manifest.entries[3]!.md5.slice(2)));
    expect(await statusCommand([], { cwd: root })).toEqual([
      { pointer: "images.dvc", path: "images", state: "not in cache" },
    ]);
  });

  it("replaces a damaged state file and re-hashes, with the same answer", async () => {
    const file = join(root, ".dvc/tmp/lathe-state.db");
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
    await writeFile(file, "this is not a SQLite database, it was torn by a power loss".repeat(100));
    expect(await hashedFiles()).toBe(20);
    expect(await statusCommand([], { cwd: root })).toEqual([]);
    expect(await hashedFiles()).toBe(0);
  });

  it("keeps the two hash algorithms' manifests apart", async () => {
    const state = new HashState(join(root, ".dvc/tmp"));
    try {
      expect(state.storedManifest("md5-dos2unix:/x", "sig")).toBeUndefined();
      state.rememberManifest("md5:/x", "sig", "[]", "d751713988987e9331980363e24189ce.dir");
      expect(state.storedManifest("md5:/x", "sig")).toEqual({
        text: "[]",
        md5: "d751713988987e9331980363e24189ce.dir",
      });
      expect(state.storedManifest("md5:/x", "other")).toBeUndefined();
    } finally {
      state.close();
    }
  });
});

describe("reading .dvc files without the YAML library", () => {
  it("reads what lathe add writes, quoted paths included", () => {
    const text = "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 12\n  hash: md5\n  path: 'it''s: here'\n";
    expect(parsePointer(text, "a.dvc").outs[0]).toEqual({
      path: "it's: here",
      md5: "0123456789abcdef0123456789abcdef",
      size: 12,
      nfiles: undefined,
      hash: "md5",
      extra: {},
    });
  });

  it("gives anything else to the full parser, with the same result", () => {
    const commented =
      '# data\nouts:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 12\n  path: "x y"\n  cache: false\n';
    const out = parsePointer(commented, "a.dvc").outs[0]!;
    expect(out).toMatchObject({ path: "x y", size: 12, extra: { cache: false } });
    expect(() => parsePointer("outs:\n- md5: 0123\n  size: twelve\n  path: a\n", "a.dvc")).toThrow(/outs\[0\]/);
  });
});

/**
 * `lathe diff`: tracked data compared between git revisions and the workspace, in temporary git
 * repositories with real commits.
 */
import { execFileSync } from "node:child_process";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addCommand, diffCommand, gcCommand } from "../../src/data/commands.js";
import { diffData, formatDiff, isEmptyDiff } from "../../src/data/diff.js";
import { initDataRepo } from "../../src/data/repo.js";
import { openWorkspace } from "../../src/data/workspace.js";
import { rejection } from "../data-remotes/helpers.js";
import { runLathe, useTempDirs } from "./helpers.js";

const temp = useTempDirs();

async function repo(): Promise<string> {
  const dir = await temp(true);
  await initDataRepo(dir);
  return dir;
}

function commit(dir: string, message: string): string {
  execFileSync("git", ["add", "-A"], { cwd: dir });
  execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", message], {
    cwd: dir,
  });
  return execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir }).toString().trim();
}

/** A repository with a committed file and directory. */
async function committedRepo(): Promise<string> {
  const dir = await repo();
  await writeFile(join(dir, "table.csv"), "a,b\n1,2\n");
  await mkdir(join(dir, "images/sub"), { recursive: true });
  await writeFile(join(dir, "images/one.txt"), "one");
  await writeFile(join(dir, "images/sub/two.txt"), "two");
  await addCommand(["table.csv", "images"], { cwd: dir });
  commit(dir, "data v1");
  return dir;
}

describe("lathe diff", () => {
  it("reports nothing when the workspace matches HEAD", async () => {
    const dir = await committedRepo();
    const diff = await diffCommand({ cwd: dir });
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff).toEqual({ added: [], deleted: [], modified: [], renamed: [], "not in cache": [] });
  });

  it("lists files added, modified and deleted in the workspace, directories expanded, as dvc diff prints them", async () => {
    const dir = await committedRepo();
    await writeFile(join(dir, "table.csv"), "a,b\n1,3\n");
    await writeFile(join(dir, "images/three.txt"), "three");
    await rm(join(dir, "images/sub/two.txt"));
    await writeFile(join(dir, "new.bin"), "fresh");
    await addCommand(["new.bin"], { cwd: dir });

    const diff = await diffCommand({ cwd: dir });
    expect(diff.added.map((entry) => entry.path)).toEqual(["images/three.txt", "new.bin"]);
    expect(diff.added[1]).toEqual({ path: "new.bin", hash: "76010858c8362d7302ef5f9436aa6639" });
    expect(diff.deleted).toEqual([{ path: "images/sub/two.txt", hash: "b8a9f715dbb64fd5c56e7783c6820a61" }]);
    expect(diff.modified.map((entry) => entry.path)).toEqual(["images/", "table.csv"]);
    expect(diff.modified[0]?.hash.old).toMatch(/\.dir$/);
    expect(diff.modified[1]?.hash.new).not.toBe(diff.modified[1]?.hash.old);
    expect(diff.renamed).toEqual([]);
    expect(formatDiff(diff)).toBe(
      [
        "Added:",
        "    images/three.txt",
        "    new.bin",
        "",
        "Deleted:",
        "    images/sub/two.txt",
        "",
        "Modified:",
        "    images/",
        "    table.csv",
        "",
        "files summary: 2 added, 1 deleted, 1 modified",
      ].join("\n"),
    );
  });

  it("compares two revisions, and pairs a moved file as renamed", async () => {
    const dir = await committedRepo();
    const first = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir }).toString().trim();
    await rename(join(dir, "table.csv"), join(dir, "moved.csv"));
    await rm(join(dir, "table.csv.dvc"));
    await addCommand(["moved.csv"], { cwd: dir });
    const second = commit(dir, "move");

    const diff = await diffCommand({ cwd: dir, aRev: first, bRev: second });
    expect(diff.renamed).toEqual([
      { path: { old: "table.csv", new: "moved.csv" }, hash: expect.stringMatching(/^[0-9a-f]{32}$/) },
    ]);
    expect(diff.added).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(formatDiff(diff)).toContain("Renamed:\n    table.csv -> moved.csv");
    expect(formatDiff(diff)).toContain("files summary: 0 added, 0 deleted, 1 renamed, 0 modified");
    // Branch names and HEAD~1 work as revisions too; the reverse diff mirrors it.
    const back = await diffCommand({ cwd: dir, aRev: "HEAD", bRev: "HEAD~1" });
    expect(back.renamed).toEqual([{ path: { old: "moved.csv", new: "table.csv" }, hash: diff.renamed[0]!.hash }]);
  });

  it("reports a moved directory as renamed, with each of its files", async () => {
    const dir = await committedRepo();
    await rename(join(dir, "images"), join(dir, "pictures"));
    await rm(join(dir, "images.dvc"));
    await addCommand(["pictures"], { cwd: dir });
    const diff = await diffCommand({ cwd: dir });
    expect(diff.renamed.map((entry) => `${entry.path.old} -> ${entry.path.new}`)).toEqual([
      "images/ -> pictures/",
      "images/one.txt -> pictures/one.txt",
      "images/sub/two.txt -> pictures/sub/two.txt",
    ]);
    expect(diff.added).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(formatDiff(diff)).toContain("files summary: 0 added, 0 deleted, 2 renamed, 0 modified");
  });

  it("reports a directory whose manifest is not in the cache as a whole, and says why", async () => {
    const dir = await committedRepo();
    await writeFile(join(dir, "images/one.txt"), "changed");
    await addCommand(["images"], { cwd: dir });
    // The old manifest goes away with gc; HEAD still names it.
    await gcCommand({ cwd: dir });
    const diff = await diffCommand({ cwd: dir });
    expect(diff.modified.map((entry) => entry.path)).toEqual(["images/"]);
    expect(diff.added).toEqual([]);
    expect(diff["not in cache"]).toEqual([{ path: "images/", hash: expect.stringMatching(/\.dir$/) }]);
    const text = formatDiff(diff);
    expect(text).toContain("Not in cache:\n    images/ (the cache lacks its manifest");
    expect(text).toContain("files summary: 0 added, 0 deleted, 0 modified, 1 not in cache");
  });

  it("limits the diff to --targets, and refuses a target nothing tracks", async () => {
    const dir = await committedRepo();
    await writeFile(join(dir, "table.csv"), "changed");
    await writeFile(join(dir, "images/one.txt"), "changed");
    const only = await diffCommand({ cwd: dir, targets: ["images/one.txt"] });
    expect(only.modified.map((entry) => entry.path)).toEqual(["images/one.txt"]);
    const byPointer = await diffCommand({ cwd: dir, targets: ["table.csv.dvc"] });
    expect(byPointer.modified.map((entry) => entry.path)).toEqual(["table.csv"]);
    const error = await rejection(diffCommand({ cwd: dir, targets: ["nothing.csv"] }));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toMatch(/nothing\.csv.*--targets/);
  });

  it("names a bad revision and how to fix it; an empty repository says to commit first", async () => {
    const empty = await repo();
    const none = await rejection(diffCommand({ cwd: empty }));
    expect(none.code).toBe("INVALID_PARAMETER_VALUE");
    expect(none.message).toMatch(/'HEAD'.*no commits yet/);
    const dir = await committedRepo();
    const bad = await rejection(diffCommand({ cwd: dir, aRev: "no-such-branch" }));
    expect(bad.code).toBe("INVALID_PARAMETER_VALUE");
    expect(bad.message).toMatch(/Unknown revision 'no-such-branch'.*git log/);
    const option = await rejection(diffCommand({ cwd: dir, aRev: "--all" }));
    expect(option.message).toMatch(/'--all' is not a git revision/);
  });

  it("reads a data repository in a subfolder of the git repository", async () => {
    const top = await temp(true);
    const dir = join(top, "project");
    await mkdir(dir);
    // Only a git repository's root may be initialised with git; a subfolder uses --no-scm.
    await initDataRepo(dir, { noScm: true });
    await writeFile(join(dir, "x.txt"), "x");
    await addCommand(["x.txt"], { cwd: dir });
    commit(top, "sub");
    await writeFile(join(dir, "x.txt"), "y");
    const diff = await diffCommand({ cwd: dir });
    expect(diff.modified.map((entry) => entry.path)).toEqual(["x.txt"]);
  });

  it("prints dvc diff's text, or its JSON keys with --json, on the command line", async () => {
    const dir = await committedRepo();
    await writeFile(join(dir, "table.csv"), "changed");
    const lathe = (...args: string[]) => runLathe(args, { cwd: dir });
    expect(await lathe("diff")).toBe("Modified:\n    table.csv\n\nfiles summary: 0 added, 0 deleted, 1 modified\n");
    expect(JSON.parse(await lathe("diff", "HEAD", "--json", "--targets", "images"))).toEqual({
      added: [],
      deleted: [],
      modified: [],
      renamed: [],
      "not in cache": [],
    });
    expect(JSON.parse(await lathe("diff", "--json")).modified).toEqual([
      {
        path: "table.csv",
        hash: { old: "e5ebd4c02cefbe7955977c67ada242b7", new: "8977dfac2f8e04cb96e66882235f5aba" },
      },
    ]);
    await expect(lathe("diff", "nope")).rejects.toThrow(/Unknown revision 'nope'/);
  });

  it("does not re-hash unchanged workspace files", async () => {
    const dir = await committedRepo();
    await writeFile(join(dir, "table.csv"), "changed");
    const first = await openWorkspace(dir);
    try {
      await diffData(first, { cwd: dir });
    } finally {
      first.close();
    }
    const second = await openWorkspace(dir);
    try {
      await diffData(second, { cwd: dir });
      expect(second.state.hashedCount).toBe(0);
    } finally {
      second.close();
    }
  });
});

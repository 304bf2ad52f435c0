/**
 * `lathe remote`, `push`, `fetch` and `pull` through a local-folder remote, between two workspaces
 * that share only their git-tracked files (.dvc files and .dvc/config), as two collaborators do.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  addCommand,
  fetchCommand,
  pullCommand,
  pushCommand,
  remoteCommand,
  statusCommand,
} from "../../src/data/commands.js";
import { addRemote, listRemotes, modifyRemote } from "../../src/data/remote-config.js";
import { initDataRepo } from "../../src/data/repo.js";
import { useTempDirs } from "./helpers.js";

const temp = useTempDirs();

/** What git would carry from one workspace to another: the .dvc files and the config. */
async function shareTracked(from: string, to: string, files: string[]): Promise<void> {
  for (const file of files) await cp(join(from, file), join(to, file));
  await cp(join(from, ".dvc/config"), join(to, ".dvc/config"));
}

/** An author and a collaborator, each a fresh data repository, and an empty folder for their remote. */
async function twoWorkspaces(): Promise<{ author: string; collaborator: string; storage: string }> {
  const author = await temp(true);
  const collaborator = await temp(true);
  const storage = await temp(false);
  await initDataRepo(author);
  await initDataRepo(collaborator);
  return { author, collaborator, storage };
}

/** The author adds `paths`, pushes them to the default remote, and shares their .dvc files and config. */
async function publish(
  { author, collaborator, storage }: { author: string; collaborator: string; storage: string },
  paths: string[],
): Promise<void> {
  await addCommand(paths, { cwd: author });
  await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
  await pushCommand({ cwd: author });
  await shareTracked(
    author,
    collaborator,
    paths.map((path) => `${path}.dvc`),
  );
}

describe("push, fetch and pull through a local remote", () => {
  it("moves a file and a nested directory to a collaborator, and skips what is already there", async () => {
    const { author, collaborator, storage } = await twoWorkspaces();
    await writeFile(join(author, "table.csv"), "a,b\n1,2\n");
    await mkdir(join(author, "images/sub dir"), { recursive: true });
    await writeFile(join(author, "images/one.bin"), Buffer.from([1, 2, 3]));
    await writeFile(join(author, "images/sub dir/twö.bin"), "");
    await addCommand(["table.csv", "images"], { cwd: author });
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
    expect(await remoteCommand(listRemotes, { cwd: author })).toEqual([
      { name: "storage", url: storage, default: true },
    ]);

    expect(await pushCommand({ cwd: author })).toEqual({ transferred: 4, upToDate: 0 });
    expect(await pushCommand({ cwd: author })).toEqual({ transferred: 0, upToDate: 4 });

    await shareTracked(author, collaborator, ["table.csv.dvc", "images.dvc"]);
    const pulled = await pullCommand({ cwd: collaborator });
    expect(pulled.transferred).toBe(4);
    expect(await readFile(join(collaborator, "table.csv"), "utf8")).toBe("a,b\n1,2\n");
    expect([...(await readFile(join(collaborator, "images/one.bin")))]).toEqual([1, 2, 3]);
    expect(await readFile(join(collaborator, "images/sub dir/twö.bin"), "utf8")).toBe("");
    expect((await fetchCommand({ cwd: collaborator })).transferred).toBe(0);
  });

  it("names the file whose new version was never pushed, and changes nothing in the collaborator's workspace", async () => {
    const { author, collaborator, storage } = await twoWorkspaces();
    await writeFile(join(author, "data.csv"), "v1\n");
    await publish({ author, collaborator, storage }, ["data.csv"]);
    await pullCommand({ cwd: collaborator });

    // The author changes the data and commits the new .dvc file, but forgets to push.
    await writeFile(join(author, "data.csv"), "v2\n");
    await addCommand(["data.csv"], { cwd: author });
    await shareTracked(author, collaborator, ["data.csv.dvc"]);

    await expect(pullCommand({ cwd: collaborator })).rejects.toThrow(/data\.csv.*most likely changed.*lathe push/s);
    expect(await readFile(join(collaborator, "data.csv"), "utf8")).toBe("v1\n");
    await pushCommand({ cwd: author });
    await pullCommand({ cwd: collaborator, force: true });
    expect(await readFile(join(collaborator, "data.csv"), "utf8")).toBe("v2\n");
  });

  it("copies a file into the workspace while fetching it: writable, no temporary files left, status clean", async () => {
    const { author, collaborator, storage } = await twoWorkspaces();
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(join(author, "data.bin"), bytes);
    await writeFile(join(author, "copy of data.bin"), bytes);
    await mkdir(join(author, "models"));
    await writeFile(join(author, "models/m.bin"), "weights");
    await mkdir(join(author, "images"));
    await writeFile(join(author, "images/one.txt"), "1");
    await addCommand(["data.bin", "copy of data.bin", "models/m.bin", "images"], { cwd: author });
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
    await pushCommand({ cwd: author });
    await shareTracked(author, collaborator, [
      "data.bin.dvc",
      "copy of data.bin.dvc",
      "models/m.bin.dvc",
      "images.dvc",
    ]);

    const pulled = await pullCommand({ cwd: collaborator });
    // Two files hold the same bytes: one object, copied to both paths.
    expect(pulled.transferred).toBe(4);
    expect([...pulled.checkout.added].sort()).toEqual(["copy of data.bin", "data.bin", "images", "models/m.bin"]);
    expect(pulled.checkout.modified).toEqual([]);
    for (const name of ["data.bin", "copy of data.bin"]) {
      expect((await readFile(join(collaborator, name))).equals(bytes)).toBe(true);
      expect((await stat(join(collaborator, name))).mode & 0o777).toBe(0o644);
    }
    expect(await readFile(join(collaborator, "models/m.bin"), "utf8")).toBe("weights");
    const md5 = createHash("md5").update(bytes).digest("hex");
    const object = join(collaborator, ".dvc/cache/files/md5", md5.slice(0, 2), md5.slice(2));
    expect((await stat(object)).mode & 0o777).toBe(0o444);
    expect((await stat(object)).ino).not.toBe((await stat(join(collaborator, "data.bin"))).ino);
    expect((await readdir(collaborator)).filter((name) => name.endsWith(".lathe-tmp"))).toEqual([]);
    expect(await statusCommand([], { cwd: collaborator })).toEqual([]);
    // An edit in the workspace never reaches the cache.
    await writeFile(join(collaborator, "data.bin"), "edited");
    expect(
      createHash("md5")
        .update(await readFile(object))
        .digest("hex"),
    ).toBe(md5);
  });

  it("leaves the workspace as it was when an object is missing or corrupt, copies made during the fetch included", async () => {
    const { author, collaborator, storage } = await twoWorkspaces();
    await writeFile(join(author, "a.csv"), "a\n".repeat(50_000));
    await writeFile(join(author, "b.csv"), "b\n");
    await addCommand(["a.csv", "b.csv"], { cwd: author });
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
    await pushCommand({ cwd: author, targets: ["a.csv"] });
    await shareTracked(author, collaborator, ["a.csv.dvc", "b.csv.dvc"]);
    const before = (await readdir(collaborator)).sort();

    await expect(pullCommand({ cwd: collaborator })).rejects.toThrow(/b\.csv.*lathe push/s);
    expect((await readdir(collaborator)).sort()).toEqual(before);

    // Now every object is on the remote, but a.csv's is corrupt (and no longer in the collaborator's cache).
    await pushCommand({ cwd: author });
    await rm(join(collaborator, ".dvc/cache"), { recursive: true, force: true });
    const md5 = createHash("md5").update("a\n".repeat(50_000)).digest("hex");
    const remoteObject = join(storage, "files/md5", md5.slice(0, 2), md5.slice(2));
    await chmod(remoteObject, 0o644);
    await writeFile(remoteObject, "a\n".repeat(49_999));
    await expect(pullCommand({ cwd: collaborator })).rejects.toThrow(/a\.csv/);
    expect((await readdir(collaborator)).sort()).toEqual(before);
  });

  it("links from the cache as [cache] type says when it is not a copy", async () => {
    const { author, collaborator, storage } = await twoWorkspaces();
    await writeFile(join(author, "data.csv"), "x,y\n");
    await publish({ author, collaborator, storage }, ["data.csv"]);
    await writeFile(
      join(collaborator, ".dvc/config"),
      `${await readFile(join(collaborator, ".dvc/config"), "utf8")}[cache]\n    type = hardlink\n`,
    );

    const pulled = await pullCommand({ cwd: collaborator });
    expect(pulled.checkout.added).toEqual(["data.csv"]);
    const md5 = createHash("md5").update("x,y\n").digest("hex");
    const object = join(collaborator, ".dvc/cache/files/md5", md5.slice(0, 2), md5.slice(2));
    expect((await stat(join(collaborator, "data.csv"))).ino).toBe((await stat(object)).ino);
  });

  it("says how to configure a remote when there is none, and edits remote options", async () => {
    const repo = await temp(true);
    await initDataRepo(repo);
    await writeFile(join(repo, "x.txt"), "x");
    await addCommand(["x.txt"], { cwd: repo });
    await expect(pushCommand({ cwd: repo })).rejects.toThrow(/lathe remote add -d/);
    await expect(pushCommand({ cwd: repo, remote: "nowhere" })).rejects.toThrow(/No remote named 'nowhere'/);
    await remoteCommand((data) => addRemote(data, "s3store", "s3://bucket/prefix"), { cwd: repo });
    await expect(remoteCommand((data) => addRemote(data, "s3store", "/tmp/x"), { cwd: repo })).rejects.toThrow(
      /already exists/,
    );
    await remoteCommand((data) => modifyRemote(data, "s3store", "endpointurl", "http://127.0.0.1:9"), { cwd: repo });
    const config = await readFile(join(repo, ".dvc/config"), "utf8");
    expect(config).toBe("['remote \"s3store\"']\n    url = s3://bucket/prefix\n    endpointurl = http://127.0.0.1:9\n");
  });

  it("copies objects it saw hashed without reading them again, but still refuses one changed since", async () => {
    const author = await temp(true);
    const storage = await temp(false);
    await initDataRepo(author);
    await writeFile(join(author, "good.csv"), "good\n");
    await writeFile(join(author, "bad.csv"), "bad\n");
    await addCommand(["good.csv", "bad.csv"], { cwd: author });
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
    // Corrupt one cache object behind Lathe's back: its stats change, so it is verified and refused.
    const bad = join(author, ".dvc/cache/files/md5", md5Path("bad\n"));
    await chmod(bad, 0o644);
    await writeFile(bad, "rot\n");
    await expect(pushCommand({ cwd: author })).rejects.toThrow(/cache is corrupt/);
    expect(await readFile(join(storage, "files/md5", md5Path("good\n")), "utf8")).toBe("good\n");
    await expect(readFile(join(storage, "files/md5", md5Path("bad\n")))).rejects.toThrow(/ENOENT/);
  });
});

describe("remote URLs", () => {
  it("stores a relative folder relative to .dvc/, where it is resolved, and keeps other URLs as given", async () => {
    const root = await temp(true);
    await initDataRepo(root);
    await mkdir(join(root, "sub"));
    const add = (name: string, url: string, cwd: string) =>
      remoteCommand((repo) => addRemote(repo, name, url, { cwd }), { cwd: root });
    await add("up", "../store", root);
    await add("fromsub", "../../store", join(root, "sub"));
    await add("abs", "/srv/store", root);
    await add("s3", "s3://bucket/prefix", root);
    await remoteCommand((repo) => modifyRemote(repo, "abs", "url", "here", { cwd: root }), { cwd: root });
    expect(await remoteCommand(listRemotes, { cwd: root })).toEqual([
      { name: "up", url: "../../store", default: false },
      { name: "fromsub", url: "../../store", default: false },
      { name: "abs", url: "../here", default: false },
      { name: "s3", url: "s3://bucket/prefix", default: false },
    ]);
  });
});

function md5Path(content: string): string {
  const hash = createHash("md5").update(content).digest("hex");
  return `${hash.slice(0, 2)}/${hash.slice(2)}`;
}

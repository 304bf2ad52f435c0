/**
 * `lathe remote`, `push`, `fetch` and `pull` through a local-folder remote, between two workspaces
 * that share only their git-tracked files (.dvc files and .dvc/config), as two collaborators do.
 */
import { createHash } from "node:crypto";
import { chmod, cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addCommand, fetchCommand, pullCommand, pushCommand, remoteCommand } from "../../src/data/commands.js";
import { addRemote, listRemotes, modifyRemote } from "../../src/data/remote-config.js";
import { initDataRepo } from "../../src/data/repo.js";
import { useTempDirs } from "./helpers.js";

const temp = useTempDirs();

/** What git would carry from one workspace to another: the .dvc files and the config. */
async function shareTracked(from: string, to: string, files: string[]): Promise<void> {
  for (const file of files) await cp(join(from, file), join(to, file));
  await cp(join(from, ".dvc/config"), join(to, ".dvc/config"));
}

describe("push, fetch and pull through a local remote", () => {
  it("moves a file and a nested directory to a collaborator, and skips what is already there", async () => {
    const author = await temp(true);
    const collaborator = await temp(true);
    const storage = await temp(false);
    await initDataRepo(author);
    await initDataRepo(collaborator);
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
    const author = await temp(true);
    const collaborator = await temp(true);
    const storage = await temp(false);
    await initDataRepo(author);
    await initDataRepo(collaborator);
    await writeFile(join(author, "data.csv"), "v1\n");
    await addCommand(["data.csv"], { cwd: author });
    await remoteCommand((repo) => addRemote(repo, "storage", storage, { default: true }), { cwd: author });
    await pushCommand({ cwd: author });
    await shareTracked(author, collaborator, ["data.csv.dvc"]);
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

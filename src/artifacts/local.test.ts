import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalArtifactRepository } from "./local.js";
import { expectNestedRoundTrip, HOSTILE_ARTIFACT_PATHS, refusedWith } from "./test-helpers.js";

let base: string;
let root: string;
let repo: LocalArtifactRepository;

/** Everything outside the root: path → content (or "<dir>"), to prove refused calls changed nothing. */
function snapshotOutside(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (full === root) continue;
      if (entry.isDirectory()) {
        out[full] = "<dir>";
        walk(full);
      } else if (entry.isFile()) out[full] = readFileSync(full, "utf8");
      else out[full] = "<other>";
    }
  };
  walk(base);
  return out;
}

const body = (content: string | Buffer): Readable => Readable.from([Buffer.from(content)]);
const read = async (path: string): Promise<string> => text((await repo.get(path)).stream);

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "lathe-artifacts-"));
  root = join(base, "root");
  mkdirSync(join(base, "outside"));
  writeFileSync(join(base, "sentinel.txt"), "SENTINEL");
  writeFileSync(join(base, "outside", "secret.txt"), "SECRET");
  repo = new LocalArtifactRepository(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("LocalArtifactRepository round trips", () => {
  it("puts, gets, lists and deletes nested artifacts", async () => {
    await expectNestedRoundTrip(repo, async () => {
      expect(await read("model/MLmodel")).toBe("flavors: {}\n");
    });
  });

  it("sorts listings by code point and keeps odd but legal names", async () => {
    for (const name of ["b.txt", "a.txt", "C.txt", "a b.txt", "a..b.txt", "é.txt", "模型.txt"]) {
      await repo.put(`dir/${name}`, body(name));
    }
    const paths = (await repo.list("dir")).map((file) => file.path);
    expect(paths).toEqual(
      ["C.txt", "a b.txt", "a..b.txt", "a.txt", "b.txt", "é.txt", "模型.txt"].map((n) => `dir/${n}`),
    );
    expect(await read("dir/a..b.txt")).toBe("a..b.txt");
  });

  it("returns [] for a missing folder or a file path", async () => {
    await repo.put("f.txt", body("x"));
    expect(await repo.list("nope/deeper")).toEqual([]);
    expect(await repo.list("f.txt")).toEqual([]);
    expect(await repo.list("f.txt/below")).toEqual([]);
  });

  it("streams a 5 MB body", async () => {
    const chunk = Buffer.alloc(64 * 1024);
    const hash = createHash("sha256");
    const chunks = Array.from({ length: 80 }, (_, i) => {
      const part = Buffer.from(chunk.fill(i % 251));
      hash.update(part);
      return part;
    });
    expect(await repo.put("big/blob.bin", Readable.from(chunks))).toBe(5 * 1024 * 1024);
    const { stream, size } = await repo.get("big/blob.bin");
    expect(size).toBe(5 * 1024 * 1024);
    const back = createHash("sha256");
    for await (const part of stream) back.update(part as Buffer);
    expect(back.digest("hex")).toBe(hash.digest("hex"));
  });

  it("replaces an existing file atomically and leaves no temp files", async () => {
    await repo.put("model.pkl", body("version-1"));
    const open = await repo.get("model.pkl");
    await repo.put("model.pkl", body("version-2"));
    expect(await text(open.stream)).toBe("version-1"); // the reader keeps the old inode
    expect(await read("model.pkl")).toBe("version-2");
    const failing = new Readable({
      read() {
        this.push("partial");
        this.destroy(new Error("client went away"));
      },
    });
    await expect(repo.put("model.pkl", failing)).rejects.toThrow("client went away");
    expect(await read("model.pkl")).toBe("version-2");
    expect(readdirSync(root)).toEqual(["model.pkl"]);
    expect(await repo.list()).toEqual([{ path: "model.pkl", is_dir: false, file_size: 9 }]);
  });

  it("reports missing files and folders as RESOURCE_DOES_NOT_EXIST", async () => {
    await repo.put("dir/f.txt", body("x"));
    await refusedWith(repo.get("missing.txt"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.get("dir"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.get("dir/f.txt/x"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.delete("missing.txt"), "RESOURCE_DOES_NOT_EXIST");
    await refusedWith(repo.delete("dir/missing/x"), "RESOURCE_DOES_NOT_EXIST");
  });

  it("refuses writes over folders or under files, and root-level put/delete", async () => {
    await repo.put("dir/f.txt", body("x"));
    await refusedWith(repo.put("dir", body("y")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.put("dir/f.txt/g.txt", body("y")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.put("", body("y")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete(""), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete("."), "INVALID_PARAMETER_VALUE");
    expect(await read("dir/f.txt")).toBe("x");
  });

  it("defaults rootUri to the root's file:// URI", () => {
    expect(repo.rootUri).toBe(`file://${root}`);
    expect(new LocalArtifactRepository(root, "mlflow-artifacts:/1/r").rootUri).toBe("mlflow-artifacts:/1/r");
  });
});

describe("LocalArtifactRepository refuses hostile paths without touching the file system", () => {
  it.each(HOSTILE_ARTIFACT_PATHS)("%j", async (shape) => {
    await repo.put("keep.txt", body("kept"));
    const before = snapshotOutside();
    await refusedWith(repo.put(shape, body("PWNED")), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.get(shape), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.list(shape), "INVALID_PARAMETER_VALUE");
    await refusedWith(repo.delete(shape), "INVALID_PARAMETER_VALUE");
    expect(snapshotOutside()).toEqual(before);
    expect(readFileSync(join(base, "sentinel.txt"), "utf8")).toBe("SENTINEL");
    expect(readdirSync(root)).toEqual(["keep.txt"]);
  });
});

describe("LocalArtifactRepository and symlinks", () => {
  beforeEach(async () => {
    await repo.put("inside/real.txt", body("REAL"));
    symlinkSync(join(base, "outside"), join(root, "escape"));
    symlinkSync(join(base, "sentinel.txt"), join(root, "inside", "leak.txt"));
    symlinkSync(join(root, "inside", "real.txt"), join(root, "alias.txt"));
    symlinkSync(join(base, "does-not-exist"), join(root, "dangling"));
  });

  it.each(["escape", "escape/secret.txt", "escape/new/deeper.txt", "inside/leak.txt", "dangling", "dangling/x.txt"])(
    "refuses get/put/list/delete through %j",
    async (path) => {
      const before = snapshotOutside();
      const calls = [
        () => repo.get(path),
        () => repo.put(path, body("PWNED")),
        () => repo.list(path),
        () => repo.delete(path),
      ];
      for (const call of calls) {
        const error = await refusedWith(call(), "INVALID_PARAMETER_VALUE");
        expect(error.message).toMatch(/symbolic link/);
      }
      expect(snapshotOutside()).toEqual(before);
    },
  );

  it("follows links that stay inside the root and hides those that leave it from listings", async () => {
    expect(await read("alias.txt")).toBe("REAL");
    expect(await repo.list()).toEqual([
      { path: "alias.txt", is_dir: false, file_size: 4 },
      { path: "inside", is_dir: true },
    ]);
    expect(await repo.list("inside")).toEqual([{ path: "inside/real.txt", is_dir: false, file_size: 4 }]);
  });

  it("deleting a folder removes links inside it, not their targets", async () => {
    await repo.delete("inside");
    expect(readFileSync(join(base, "sentinel.txt"), "utf8")).toBe("SENTINEL");
    expect(statSync(join(base, "outside", "secret.txt")).isFile()).toBe(true);
  });

  it("works when the root itself is reached through a symlink", async () => {
    symlinkSync(root, join(base, "root-link"));
    const linked = new LocalArtifactRepository(join(base, "root-link"));
    await linked.put("inside/new.txt", body("NEW"));
    expect(await text((await linked.get("inside/new.txt")).stream)).toBe("NEW");
    await refusedWith(linked.get("escape/secret.txt"), "INVALID_PARAMETER_VALUE");
  });
});

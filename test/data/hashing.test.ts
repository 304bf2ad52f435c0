/**
 * DVC 3 hashing against reference values (reference/dvc.md §2.1–2.4): a file's hash is the md5 of
 * its bytes (checked against `md5sum`), DVC's two `.dir` test vectors, and stage checksums computed
 * with Python's json.dumps(sort_keys=True) + hashlib for the stages below.
 */
import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pythonJsonDumps } from "../../src/core/python-json.js";
import { hashFile, looksLikeText, md5Hex } from "../../src/data/hash.js";
import { IgnoreMatcher } from "../../src/data/ignore.js";
import { buildManifest } from "../../src/data/manifest.js";
import { type StageOut, stageMd5 } from "../../src/data/stage-md5.js";
import { HashState } from "../../src/data/state.js";
import { hashPath, walkFiles } from "../../src/data/walk.js";
import { IMPORTED_DVC2, IMPORTED_DVC3, makeTempDir, removeTempDir } from "./helpers.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeTempDir(dir);
  dir = undefined;
});

describe("file hashing", () => {
  it("equals md5sum of the bytes, as DVC 3's hash does", async () => {
    dir = await makeTempDir(false);
    const path = join(dir, "data.bin");
    await writeFile(path, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)));
    const expected = execFileSync("md5sum", [path], { encoding: "utf8" }).slice(0, 32);
    expect(await hashFile(path)).toEqual({ md5: expected, size: 300_000 });
  });

  it("hashes an empty file and a file spanning several read chunks", async () => {
    dir = await makeTempDir(false);
    await writeFile(join(dir, "empty"), "");
    expect(await hashFile(join(dir, "empty"))).toEqual({ md5: "d41d8cd98f00b204e9800998ecf8427e", size: 0 });
    const big = Buffer.alloc(9 * 1024 * 1024 + 7, 7);
    await writeFile(join(dir, "big"), big);
    expect(await hashFile(join(dir, "big"))).toEqual({ md5: md5Hex(big), size: big.length });
  });
});

describe("legacy (DVC 2) md5-dos2unix hashing", () => {
  it("matches the reference vectors and leaves binary files alone", async () => {
    dir = await makeTempDir(false);
    await writeFile(join(dir, "crlf.txt"), "a\r\nb\r\n");
    expect((await hashFile(join(dir, "crlf.txt"), "md5-dos2unix")).md5).toBe("dd8c6a395b5dd36c56d23275028f526c");
    expect(await hashFile(join(dir, "crlf.txt"))).toEqual({ md5: "59b0d7772f0561efb95518f3cb8abc60", size: 6 });
    const binary = Buffer.from([0, 13, 10, 1, 2, 13, 10]);
    await writeFile(join(dir, "bin"), binary);
    expect((await hashFile(join(dir, "bin"), "md5-dos2unix")).md5).toBe(md5Hex(binary));
    expect(looksLikeText(Buffer.from(""))).toBe(true);
    expect(looksLikeText(Buffer.from([200, 201, 202, 65]))).toBe(false);
  });
});

describe(".dir manifests", () => {
  it("reproduces DVC's test vectors", () => {
    const two = buildManifest([
      { relpath: "2", md5: md5Hex("2"), size: 1 },
      { relpath: "1", md5: md5Hex("1"), size: 1 },
    ]);
    expect(two.text).toBe(
      '[{"md5": "c4ca4238a0b923820dcc509a6f75849b", "relpath": "1"}, {"md5": "c81e728d9d4c2f636f067f89cc14862c", "relpath": "2"}]',
    );
    expect(two.md5).toBe("5fb6b29836c388e093ca0715c872fe2a.dir");
    expect(two).toMatchObject({ nfiles: 2, size: 2 });
    expect(buildManifest([{ relpath: "file", md5: md5Hex("text"), size: 4 }]).md5).toBe(
      "0dab3fae569586d4c33272e5011605bf.dir",
    );
  });

  it("escapes non-ASCII like Python and sorts by code point", () => {
    expect(pythonJsonDumps({ b: 1, a: ["é", "😀", 'q"\\\n'] })).toBe(
      '{"a": ["\\u00e9", "\\ud83d\\ude00", "q\\"\\\\\\n"], "b": 1}',
    );
    // U+FF5E sorts before U+1F600 by code point although its UTF-16 unit is larger.
    const manifest = buildManifest([
      { relpath: "😀", md5: md5Hex(""), size: 0 },
      { relpath: "～", md5: md5Hex(""), size: 0 },
    ]);
    expect(manifest.entries.map((entry) => entry.relpath)).toEqual(["～", "😀"]);
  });

  it("walks nested folders, skips empty ones, honours .dvcignore and handles symlinks as DVC does", async () => {
    dir = await makeTempDir(false);
    const data = join(dir, "data");
    await mkdir(join(data, "sub dir/ünï"), { recursive: true });
    await mkdir(join(data, "empty/deeper"), { recursive: true });
    await mkdir(join(data, "logs"), { recursive: true });
    await writeFile(join(data, "a.txt"), "a");
    await writeFile(join(data, "sub dir/ünï/b.txt"), "bb");
    await writeFile(join(data, "skip.tmp"), "x");
    await writeFile(join(data, "logs/x.log"), "x");
    await writeFile(join(dir, "outside.txt"), "outside");
    await symlink(join(dir, "outside.txt"), join(data, "link-to-file"));
    await symlink(join(data, "sub dir"), join(data, "link-to-dir"));
    await writeFile(join(dir, ".dvcignore"), "# comment\n*.tmp\nlogs/\n");
    const ignore = new IgnoreMatcher(dir);
    await ignore.loadAncestors(data);
    const files = (await walkFiles(data, ignore)).map((file) => file.relpath).sort();
    expect(files).toEqual(["a.txt", "link-to-file", "sub dir/ünï/b.txt"]);
    const state = new HashState(join(dir, "tmp"));
    try {
      const hashed = await hashPath(data, ignore, state);
      expect(hashed).toMatchObject({ kind: "dir", nfiles: 3, size: 1 + 2 + 7 });
      const again = await hashPath(data, ignore, state);
      expect(again?.md5).toBe(hashed?.md5);
      expect(state.hashedCount).toBe(3);
    } finally {
      state.close();
    }
  });
});

describe("stage checksum", () => {
  it("matches Python's json.dumps + md5 for an import stage in DVC 3 and DVC 2 form", () => {
    const dvc3 = parse(IMPORTED_DVC3) as StageOut;
    expect(stageMd5(dvc3)).toBe(dvc3.md5);
    const dvc2 = parse(IMPORTED_DVC2) as StageOut;
    expect(stageMd5(dvc2)).toBe(dvc2.md5);
    expect(stageMd5(dvc2)).not.toBe(stageMd5(dvc3));
  });
});

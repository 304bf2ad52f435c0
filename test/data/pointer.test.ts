/**
 * `.dvc` pointer files: DVC's exact bytes on write, any key order on read, clear errors for
 * malformed files; `.dvc/config` parsing and its errors.
 */
import { describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { linkTypes, parseDataConfig } from "../../src/data/config.js";
import { formatPointer, parsePointer, updatePointerText } from "../../src/data/pointer.js";
import { IMPORTED_DVC2, IMPORTED_DVC3 } from "./helpers.js";

describe(".dvc files", () => {
  it("writes the outs block DVC writes for a file (md5, size, hash, path)", () => {
    const written = formatPointer({ path: "iris.csv", md5: "b0d6d8d1a3b33b4f3e4a5c6d7e8f9a0b", size: 3870 });
    expect(IMPORTED_DVC3.endsWith(written)).toBe(true);
    expect(written).toBe(
      "outs:\n- md5: b0d6d8d1a3b33b4f3e4a5c6d7e8f9a0b\n  size: 3870\n  hash: md5\n  path: iris.csv\n",
    );
  });

  it("writes directories with nfiles and quotes paths only where YAML needs it", () => {
    expect(
      formatPointer({ path: "pool_data", md5: "14d187e749ee5614e105741c719fa185.dir", size: 18999874, nfiles: 183 }),
    ).toBe(
      "outs:\n- md5: 14d187e749ee5614e105741c719fa185.dir\n  size: 18999874\n  nfiles: 183\n  hash: md5\n  path: pool_data\n",
    );
    expect(formatPointer({ path: "my data.csv", md5: "0".repeat(32), size: 1 })).toContain("  path: my data.csv\n");
    expect(formatPointer({ path: "données é.csv", md5: "0".repeat(32), size: 1 })).toContain("  path: données é.csv\n");
    expect(formatPointer({ path: "true", md5: "0".repeat(32), size: 1 })).toContain("  path: 'true'\n");
    expect(formatPointer({ path: "#x: y", md5: "0".repeat(32), size: 1 })).toContain("  path: '#x: y'\n");
    for (const path of ["my data.csv", "données é.csv", "true", "#x: y", "it's", "123"])
      expect(parsePointer(formatPointer({ path, md5: "0".repeat(32), size: 1 }), "x.dvc").outs[0]?.path).toBe(path);
  });

  it("reads DVC files in either key order and keeps unknown keys", async () => {
    const parsed = parsePointer(IMPORTED_DVC3, "iris.csv.dvc");
    expect(parsed.outs[0]).toMatchObject({ path: "iris.csv", md5: "b0d6d8d1a3b33b4f3e4a5c6d7e8f9a0b", hash: "md5" });
    expect(parsed.extra.frozen).toBe(true);
    const other = parsePointer(
      "outs:\n- md5: 14d187e749ee5614e105741c719fa185.dir\n  size: 18999874\n  nfiles: 183\n  path: pool_data\n  hash: md5\n",
      "pool_data.dvc",
    );
    expect(other.outs[0]).toMatchObject({ nfiles: 183, path: "pool_data" });
    const legacy = parsePointer(IMPORTED_DVC2, "old.dvc");
    expect(legacy.outs[0]?.hash).toBeUndefined();
    expect(legacy.outs[0]?.extra.desc).toContain("Imported raw data");
  });

  it.each([
    ["outs: [", "YAML does not parse"],
    ["- a\n- b\n", "top level must be a mapping"],
    ["md5: abc\n", "'outs' must be a non-empty list"],
    ["outs:\n- md5: 123\n  path: x\n", "md5 must be 32 hex digits"],
    ["outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n", "needs a 'path'"],
    ["outs:\n- path: x\n  size: -3\n", "size must be a non-negative integer"],
    ["outs:\n- path: x\n  hash: sha256\n", "hash must be 'md5'"],
  ])("rejects %j with a message naming the file, the problem and the fix", (text, problem) => {
    try {
      parsePointer(text, "data/bad.dvc");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LatheError);
      const message = (error as LatheError).message;
      expect(message).toContain("data/bad.dvc");
      expect(message).toContain(problem);
      expect(message).toContain("lathe add");
    }
  });
});

describe(".dvc/config", () => {
  it("parses configobj sections, quoted remote names and cache.type", async () => {
    const config = parseDataConfig(
      "[core]\n    remote = public-s3\n['remote \"public-s3\"']\n    url = https://remote.dvc.org/get-started\n[cache]\n    type = hardlink, copy\n",
      ".dvc/config",
    );
    expect(config.core?.remote).toBe("public-s3");
    expect(config['remote "public-s3"']?.url).toBe("https://remote.dvc.org/get-started");
    expect(linkTypes(config)).toEqual(["hardlink", "copy"]);
    expect(linkTypes({})).toEqual(["reflink", "copy"]);
  });

  it("names the file and line of a malformed config, and unknown link types", () => {
    expect(() => parseDataConfig("[core]\nthis is not a pair\n", "/r/.dvc/config")).toThrow(
      /\/r\/\.dvc\/config line 2/,
    );
    expect(() => parseDataConfig("remote = x\n", "cfg")).toThrow(/inside a section/);
    expect(() => linkTypes({ cache: { type: "reflink,teleport" } })).toThrow(/unknown link type 'teleport'/);
  });
});

describe("rewriting a .dvc file", () => {
  it("keeps the user's comments and extra keys and updates only the hash fields", () => {
    const existing =
      "# raw data from the field team\nouts:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  size: 14445097\n  hash: md5\n  path: data.xml\n  desc: raw dump\n  remote: backup\n";
    const updated = updatePointerText(
      existing,
      { path: "data.xml", md5: "0cc175b9c0f1b6a831c399e269772661", size: 1 },
      "data.xml.dvc",
    );
    expect(updated).toBe(
      "# raw data from the field team\nouts:\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  size: 1\n  hash: md5\n  path: data.xml\n  desc: raw dump\n  remote: backup\n",
    );
  });

  it("writes DVC's fresh layout over a plain entry, whatever its key order", () => {
    const existing = "outs:\n- path: x\n  md5: 22a1a2931c8370d3aeedd7183606fd7f\n";
    expect(updatePointerText(existing, { path: "x", md5: "0cc175b9c0f1b6a831c399e269772661", size: 1 }, "x.dvc")).toBe(
      formatPointer({ path: "x", md5: "0cc175b9c0f1b6a831c399e269772661", size: 1 }),
    );
  });
});

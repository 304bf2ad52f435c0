/**
 * dvc.lock: DVC's exact bytes (key order, sorting, quoting, folding), DVC 2 entries, bad files, and
 * the run-cache key/value scheme.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pythonFloat, pythonJsonDumps as pythonJson } from "../../src/core/python-json.js";
import { formatLockFile, parseLockFile } from "../../src/pipeline/lockfile.js";
import { runCacheKey, runCacheValue } from "../../src/pipeline/run-cache.js";
import type { LockEntry } from "../../src/pipeline/types.js";

const prepare: LockEntry = {
  cmd: "python src/prepare.py data/data.xml",
  deps: [
    { path: "src/prepare.py", hash: "md5", md5: "f54d670ac8a4f63206781fc31d1f2651", size: 2231 },
    { path: "data/data.xml", hash: "md5", md5: "22a1a2931c8370d3aeedd7183606fd7f", size: 14445097 },
  ],
  params: { "params.yaml": { "prepare.split": 0.2, "prepare.seed": 20170428 } },
  outs: [{ path: "data/prepared", hash: "md5", md5: "153aad06d376b6595932470e459ef42a.dir", size: 8437363, nfiles: 2 }],
};

const PREPARE_TEXT = `schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - path: data/data.xml
      hash: md5
      md5: 22a1a2931c8370d3aeedd7183606fd7f
      size: 14445097
    - path: src/prepare.py
      hash: md5
      md5: f54d670ac8a4f63206781fc31d1f2651
      size: 2231
    params:
      params.yaml:
        prepare.seed: 20170428
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: 153aad06d376b6595932470e459ef42a.dir
      size: 8437363
      nfiles: 2
`;

describe("dvc.lock writing", () => {
  it("writes DVC's bytes: cmd, deps, params, outs; sorted paths; path, hash, md5, size, nfiles", () => {
    expect(formatLockFile(new Map([["prepare", prepare]]))).toBe(PREPARE_TEXT);
  });

  it("round-trips what it writes", () => {
    const lock = parseLockFile(PREPARE_TEXT, "dvc.lock");
    expect(formatLockFile(lock)).toBe(PREPARE_TEXT);
  });

  it("puts params.yaml first, sorts other files and keys, keeps subtrees as values", () => {
    const entry: LockEntry = {
      cmd: ["echo a", "echo b"],
      deps: [],
      params: {
        "z.yaml": { b: 1, a: "x: y" },
        "a.json": { k: [1, 2] },
        "params.yaml": { train: { lr: 1e-5, epochs: 3 } },
      },
      outs: [],
    };
    expect(formatLockFile(new Map([["s", entry]]))).toBe(`schema: '2.0'
stages:
  s:
    cmd:
    - echo a
    - echo b
    params:
      params.yaml:
        train:
          lr: 1e-05
          epochs: 3
      a.json:
        k:
        - 1
        - 2
      z.yaml:
        a: 'x: y'
        b: 1
`);
  });

  it("folds a long command after column 80 as ruamel does", () => {
    const cmd = "python src/featurization.py data/prepared data/features --max-features 200 --ngrams 2 --verbose";
    const text = formatLockFile(new Map([["featurize", { cmd, deps: [], params: {}, outs: [] }]]));
    expect(text).toBe(
      "schema: '2.0'\nstages:\n  featurize:\n    cmd: python src/featurization.py data/prepared data/features --max-features 200\n      --ngrams 2 --verbose\n",
    );
    expect(parseLockFile(text, "dvc.lock").get("featurize")!.cmd).toBe(cmd);
  });

  it("folds a long single-quoted command too, and reads it back", () => {
    const cmd = "python evaluate.py --name 'a run' --output eval/metrics.json --plots eval/plots: --threshold 0.5";
    const text = formatLockFile(new Map([["evaluate", { cmd, deps: [], params: {}, outs: [] }]]));
    expect(text).toBe(
      "schema: '2.0'\nstages:\n  evaluate:\n    cmd: 'python evaluate.py --name ''a run'' --output eval/metrics.json --plots eval/plots:\n      --threshold 0.5'\n",
    );
    expect(parseLockFile(text, "dvc.lock").get("evaluate")!.cmd).toBe(cmd);
  });

  it("quotes strings YAML would read as something else", () => {
    const text = formatLockFile(
      new Map([
        [
          "q",
          { cmd: "echo 'hi'", deps: [], params: { "params.yaml": { a: "1.5", b: "true", c: "#x", d: "" } }, outs: [] },
        ],
      ]),
    );
    expect(text).toContain("cmd: echo 'hi'\n");
    expect(text).toContain("a: '1.5'\n        b: 'true'\n        c: '#x'\n        d: ''\n");
  });
});

describe("dvc.lock reading", () => {
  it("accepts DVC 2 entries without hash: md5", () => {
    const lock = parseLockFile(
      "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: data.csv\n      md5: 0123456789abcdef0123456789abcdef\n      size: 10\n    outs:\n    - path: model.pkl\n      md5: fedcba9876543210fedcba9876543210\n      size: 5\n",
      "dvc.lock",
    );
    expect(lock.get("train")).toEqual({
      cmd: "python train.py",
      deps: [{ path: "data.csv", md5: "0123456789abcdef0123456789abcdef", size: 10 }],
      params: {},
      outs: [{ path: "model.pkl", md5: "fedcba9876543210fedcba9876543210", size: 5 }],
    });
  });

  it("refuses DVC 1 locks and malformed entries with a fix", () => {
    expect(() => parseLockFile("train:\n  cmd: x\n", "dvc.lock")).toThrow(
      /no 'schema: '2.0'' line.*delete it and run 'lathe repro'/,
    );
    expect(() => parseLockFile("schema: '2.0'\nstages:\n  a:\n    cmd: 3\n", "dvc.lock")).toThrow(
      /stages\.a\.cmd must be a string/,
    );
    expect(() =>
      parseLockFile(
        "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs:\n    - path: m\n      md5: nothex\n",
        "dvc.lock",
      ),
    ).toThrow(/outs\[0\]\.md5 must be 32 hex digits/);
  });
});

describe("values as Python prints them", () => {
  it("formats floats like repr()", () => {
    expect([0.2, 1e-5, 1e16, 1.5e-7, 123.456, 0.0001, 1e22, -2.5].map(pythonFloat)).toEqual([
      "0.2",
      "1e-05",
      "1e+16",
      "1.5e-07",
      "123.456",
      "0.0001",
      "1e+22",
      "-2.5",
    ]);
  });
});

describe("run-cache key and value", () => {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

  it("key hashes the entry with outs reduced to paths and without size/nfiles; value hashes it whole", () => {
    const keyJson =
      '{"cmd": "python src/prepare.py data/data.xml", "deps": [{"hash": "md5", "md5": "22a1a2931c8370d3aeedd7183606fd7f", "path": "data/data.xml"}, {"hash": "md5", "md5": "f54d670ac8a4f63206781fc31d1f2651", "path": "src/prepare.py"}], "outs": ["data/prepared"], "params": {"params.yaml": {"prepare.seed": 20170428, "prepare.split": 0.2}}}';
    expect(runCacheKey(prepare)).toBe(sha256(keyJson));
    const valueJson = keyJson.replace(
      '"outs": ["data/prepared"]',
      '"outs": [{"hash": "md5", "md5": "153aad06d376b6595932470e459ef42a.dir", "path": "data/prepared"}]',
    );
    expect(runCacheValue(prepare)).toBe(sha256(valueJson));
  });

  it("json.dumps formatting: separators, sorted keys, escapes, floats", () => {
    expect(pythonJson({ b: [1, 0.5, true, null], a: 'é"' })).toBe('{"a": "\\u00e9\\"", "b": [1, 0.5, true, null]}');
  });

  it("different out hashes share a key but not a value", () => {
    const other: LockEntry = {
      ...prepare,
      outs: [{ ...prepare.outs[0]!, md5: "00000000000000000000000000000000.dir" }],
    };
    expect(runCacheKey(other)).toBe(runCacheKey(prepare));
    expect(runCacheValue(other)).not.toBe(runCacheValue(prepare));
  });
});

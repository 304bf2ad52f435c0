/**
 * The fast block-YAML reader agrees with the `yaml` package on everything it accepts, records
 * lines, and declines what it does not handle (so the full parser takes over).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseFastYaml } from "../../src/pipeline/fast-yaml.js";
import { formatLockFile } from "../../src/pipeline/lockfile.js";
import { emitYaml } from "../../src/pipeline/yaml-emit.js";

const SAMPLES = [
  'a: 1\nb: two\nc: 0.20\nd: 1e-5\ne: true\nf: ~\ng:\nh: \'quoted # not comment\'\ni: "dq \\"x\\" \\u00e9"\n',
  "stages:\n  train:\n    cmd: python train.py --lr 0.1   # trailing comment\n    deps: [a, 'b c', \"d\"]\n    outs:\n      - model.pkl\n      - metrics.json: {cache: false, persist: true}\n",
  "list:\n- a\n- b: 1\n  c: 2\n-\n  - x\n  - y\n- - nested\n  - more\nempty_list: []\nempty_map: {}\n",
  "cmd: python src/featurization.py data/prepared data/features --max-features 200\n  --ngrams 2 --verbose\nnext: 1\n",
  "key with spaces: value: no\n".replace(": no", "-no"),
  "url: http://example.com:8080/x\nhash: 0123456789abcdef\nver: '2.0'\nyes: yes\nno: off\noct: 0o17\nhex: 0x1F\ninf: .inf\nneg: -3\nplus: +4\n",
  "vars:\n  - custom.yaml:k1,k2\n  - {inline: 1, other: [1, 2, {x: y}]}\nstages: {}\n",
  "# comment\n\nschema: '2.0'\nstages:\n  a@b-c:\n    cmd:\n    - echo 'one'\n    - echo two\n",
  "a:\n  b:\n    c:\n      - 1\n      - 2\n  d: e\nf: g\n",
  "quote: 'it''s'\nhash: a#b\nspace: a b  c\n",
  "key:\n  value on its own line\n  folded on\nlist:\n  -\n    scalar under dash\nlast: 1\n",
  "plain document\n",
];

describe("fast YAML reader", () => {
  it.each(SAMPLES)("agrees with the yaml package on sample %#", (text) => {
    const fast = parseFastYaml(text);
    expect(fast).toBeDefined();
    expect(fast!.value).toEqual(parse(text, { version: "1.2" }));
  });

  it("agrees on the fixture and example files and on lock files it writes", async () => {
    const root = join(import.meta.dirname, "../..");
    for (const file of [
      "test/fixtures/pipeline/get-started/dvc.yaml",
      "test/fixtures/pipeline/get-started/params.yaml",
      "examples/pipeline/dvc.yaml",
      "examples/pipeline/params.yaml",
    ]) {
      const text = await readFile(join(root, file), "utf8");
      expect(parseFastYaml(text)?.value, file).toEqual(parse(text, { version: "1.2" }));
    }
    const lock = formatLockFile(
      new Map([
        [
          "s",
          {
            cmd: ["a b", "x: y"],
            deps: [{ path: "p q", hash: "md5" as const, md5: "0123456789abcdef0123456789abcdef", size: 1 }],
            params: { "params.yaml": { "a.b": [1, { c: "d" }], e: "'q'", f: 1.5e-7, g: "" } },
            outs: [],
          },
        ],
      ]),
    );
    expect(parseFastYaml(lock)?.value).toEqual(parse(lock, { version: "1.2" }));
  });

  it("reads back what the lock writer emits, for generated values, as the yaml package does", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const words = [
      "a",
      "b c",
      "x: y",
      "#x",
      "it's",
      "1.5",
      "true",
      "",
      " lead",
      "trail ",
      "-",
      "- x",
      "[a]",
      "{b}",
      "é",
      "a#b",
      "1e5",
      "null",
      "~",
      "'q'",
      '"d"',
      "k:",
      "%p",
      "@at",
      "x,y",
    ];
    const value = (depth: number): unknown => {
      const kind = depth > 2 ? Math.floor(random() * 4) : Math.floor(random() * 6);
      if (kind === 0) return pick(words);
      if (kind === 1) return pick([0, 1, -3, 0.5, 1e-5, 12345678901, 2.5e20]);
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return Array.from({ length: Math.floor(random() * 12) }, () => pick(words)).join(" ");
      if (kind === 4) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
      const map: Record<string, unknown> = {};
      for (let index = 0; index < Math.floor(random() * 3); index++) map[pick(words) || "k"] = value(depth + 1);
      return map;
    };
    for (let round = 0; round < 300; round++) {
      const document = {
        top: value(0),
        other: value(1),
        long: Array.from({ length: 30 }, () => pick(["run", "--flag", "a/b.txt", "x=1", "é"])).join(" "),
      };
      const text = emitYaml(document);
      const expected = parse(text, { version: "1.2" });
      expect(expected).toEqual(document);
      const fast = parseFastYaml(text);
      if (fast) expect(fast.value).toEqual(expected);
    }
  });

  it("records the line of each key and item", () => {
    const fast = parseFastYaml("stages:\n  a:\n    cmd: x\n    deps:\n      - one\n      - two\n");
    expect(fast!.lines.get(["stages", "a", "deps", "1"].join("\0"))).toBe(6);
    expect(fast!.lines.get(["stages", "a", "cmd"].join("\0"))).toBe(3);
  });

  it.each([
    "a: &anchor 1\nb: *anchor\n",
    "a: |\n  block\n",
    "---\na: 1\n",
    "a: 'multi\n  line'\n",
    "a: 1\na: 2\n",
    "a:\n\t- tab\n",
    "a: [1,\n  2]\n",
    "a: !tag x\n",
  ])("declines what it does not handle: %j", (text) => {
    expect(parseFastYaml(text)).toBeUndefined();
  });
});

/**
 * @module pipeline/yaml-doc
 * A parsed YAML file that remembers where each value came from, so a bad `dvc.yaml` entry is
 * reported with its file and line.
 */
import type { LineCounter, Node } from "yaml";
import { LatheError } from "../core/errors.js";
import { parseFastYaml } from "./fast-yaml.js";
import { yamlLib } from "./yaml-lib.js";

/** A key path into a YAML document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A YAML document with its plain value and a way to find the line of any value. */
export class YamlFile {
  private constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly root: Node | null,
    private readonly lines: LineCounter | undefined,
    private readonly fastLines?: Map<string, number>,
  ) {}

  /** Parses `text` (YAML 1.2, as ruamel reads it); a syntax error names `file` and the line. */
  static parse(text: string, file: string): YamlFile {
    const fast = parseFastYaml(text);
    if (fast) return new YamlFile(file, fast.value, null, undefined, fast.lines);
    const { LineCounter, parseDocument } = yamlLib();
    const lines = new LineCounter();
    const document = parseDocument(text, { version: "1.2", lineCounter: lines, uniqueKeys: true });
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? 1;
      throw new LatheError(
        "CONFIG_INVALID",
        `${file}:${line}: YAML does not parse: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}. Fix the syntax on that line.`,
      );
    }
    return new YamlFile(file, document.toJS({ maxAliasCount: 10_000 }), document.contents as Node | null, lines);
  }

  /** The 1-based line of the value (or, for mapping keys, the key) at `path`; the nearest known ancestor otherwise. */
  lineOf(path: YamlPath): number {
    if (this.fastLines) {
      for (let length = path.length; length > 0; length--) {
        const line = this.fastLines.get(path.slice(0, length).map(String).join("\0"));
        if (line !== undefined) return line;
      }
      return 1;
    }
    const { isMap, isSeq } = yamlLib();
    let node: Node | null | undefined = this.root;
    let offset = node?.range?.[0] ?? 0;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => (item.key as { value?: unknown } | null)?.value === part || item.key === part,
        );
        if (!pair) break;
        const key = pair.key as Node | null;
        if (key?.range) offset = key.range[0];
        node = pair.value as Node | null;
        if (node?.range && typeof part === "number") offset = node.range[0];
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part] as Node | undefined;
        if (!item) break;
        node = item;
        if (item.range) offset = item.range[0];
      } else break;
    }
    return this.lines?.linePos(offset).line ?? 1;
  }

  /** A CONFIG_INVALID error at `path`: `file:line: problem. fix` */
  error(path: YamlPath, problem: string, fix: string): LatheError {
    return new LatheError("CONFIG_INVALID", `${this.file}:${this.lineOf(path)}: ${problem}. ${fix}`);
  }
}

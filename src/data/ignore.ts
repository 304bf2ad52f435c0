/**
 * @module data/ignore
 * `.dvcignore` files (gitignore syntax, patterns relative to the file's folder) and the names DVC
 * always skips: `.git`, `.hg`, `.dvc` (reference/dvc.md §1.7).
 */
import { readFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";

const ALWAYS_IGNORED = new Set([".git", ".hg", ".dvc"]);

interface Rule {
  /** Repository-relative POSIX folder the pattern file lives in ("" for the root). */
  readonly base: string;
  readonly regex: RegExp;
  readonly negate: boolean;
  readonly directoryOnly: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

/** Turns one gitignore glob into a regex over a POSIX path relative to the pattern's folder. */
function globToRegex(glob: string, anchored: boolean): RegExp {
  let body = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === "*" && glob[index + 1] === "*") {
      const slashAfter = glob[index + 2] === "/";
      body += slashAfter ? "(?:.*/)?" : ".*";
      index += slashAfter ? 2 : 1;
    } else if (char === "*") body += "[^/]*";
    else if (char === "?") body += "[^/]";
    else if (char === "[") {
      const close = glob.indexOf("]", index + 1);
      if (close === -1) body += "\\[";
      else {
        body += `[${glob
          .slice(index + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        index = close;
      }
    } else if (char === "\\" && index + 1 < glob.length) body += escapeRegex(glob[++index]!);
    else body += escapeRegex(char);
  }
  // A match on a folder also covers everything below it.
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}(?:/.*)?$`);
}

function parseRules(text: string, base: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    rules.push({ base, regex: globToRegex(line, anchored), negate, directoryOnly });
  }
  return rules;
}

/** Decides whether repository paths are ignored; gathers `.dvcignore` files as folders are entered. */
export class IgnoreMatcher {
  private readonly rules: Rule[] = [];
  private readonly loaded = new Set<string>();

  constructor(private readonly root: string) {}

  /** Loads `<folder>/.dvcignore` once, if it exists (`folder` absolute). */
  async loadFolder(folder: string): Promise<void> {
    const base = relative(this.root, folder).split(sep).join("/");
    if (this.loaded.has(base)) return;
    this.loaded.add(base);
    let text: string;
    try {
      text = await readFile(join(folder, ".dvcignore"), "utf8");
    } catch {
      return;
    }
    this.rules.push(...parseRules(text, base));
  }

  /** Loads every `.dvcignore` from the repository root down to `folder`. */
  async loadAncestors(folder: string): Promise<void> {
    const parts = relative(this.root, folder)
      .split(sep)
      .filter((part) => part !== "" && part !== ".");
    await this.loadFolder(this.root);
    for (let depth = 1; depth <= parts.length; depth++)
      await this.loadFolder(join(this.root, ...parts.slice(0, depth)));
  }

  /**
   * `isIgnored` for an entry named `name` of a folder already known not to be ignored (as a walk
   * visits them): with no `.dvcignore` rules loaded, only the entry's own name can make it ignored.
   */
  isIgnoredEntry(path: string, name: string, isDirectory: boolean): boolean {
    if (this.rules.length === 0) return ALWAYS_IGNORED.has(name);
    return this.isIgnored(path, isDirectory);
  }

  /** True when the absolute `path` is ignored; `isDirectory` enables folder-only patterns. */
  isIgnored(path: string, isDirectory: boolean): boolean {
    const rel =
      sep === "/" && path.startsWith(`${this.root}/`)
        ? path.slice(this.root.length + 1)
        : relative(this.root, path).split(sep).join("/");
    if (rel.split("/").some((part) => ALWAYS_IGNORED.has(part))) return true;
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.base !== "" && !rel.startsWith(`${rule.base}/`)) continue;
      const local = rule.base === "" ? rel : posix.relative(rule.base, rel);
      const match = rule.regex.exec(local);
      if (!match) continue;
      // A folder-only pattern ("logs/") covers a file only through one of its parent folders.
      if (rule.directoryOnly && !isDirectory && !this.matchesAncestor(rule, local)) continue;
      ignored = !rule.negate;
    }
    return ignored;
  }

  private matchesAncestor(rule: Rule, local: string): boolean {
    const parts = local.split("/");
    for (let depth = 1; depth < parts.length; depth++)
      if (rule.regex.test(parts.slice(0, depth).join("/"))) return true;
    return false;
  }
}

/**
 * @module data/config
 * `.dvc/config` and `.dvc/config.local`: configobj-style INI (`[core]`, `['remote "name"']`,
 * `key = value`), read into sections of strings (reference/dvc.md §1.6).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LatheError } from "../core/errors.js";

/** Section name (`core`, `cache`, `remote "s3"`) → key → value. */
export type DataConfig = Record<string, Record<string, string>>;

/** How checkout places a cached file in the workspace (DVC's `cache.type`). */
export type LinkType = "reflink" | "hardlink" | "symlink" | "copy";

const LINK_TYPES: readonly LinkType[] = ["reflink", "hardlink", "symlink", "copy"];

/** Parses configobj INI text; `file` names the source in errors. */
export function parseDataConfig(text: string, file: string): DataConfig {
  const config: DataConfig = {};
  let section: Record<string, string> | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      let name = header[1]!;
      if ((name.startsWith("'") && name.endsWith("'")) || (name.startsWith('"') && name.endsWith('"')))
        name = name.slice(1, -1);
      section = config[name] ??= {};
      return;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!pair || !section)
      throw new LatheError(
        "CONFIG_INVALID",
        `${file} line ${index + 1} is not valid: '${line}'. Expected '[section]' or 'key = value' inside a section; fix or remove that line.`,
      );
    section[pair[1]!] = pair[2]!.replace(/^(['"])(.*)\1$/, "$2");
  });
  return config;
}

/** Reads `.dvc/config` then `.dvc/config.local` (local wins), both optional. */
export async function loadDataConfig(dvcDir: string): Promise<DataConfig> {
  const merged: DataConfig = {};
  for (const name of ["config", "config.local"]) {
    const file = join(dvcDir, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    for (const [section, values] of Object.entries(parseDataConfig(text, file)))
      merged[section] = { ...merged[section], ...values };
  }
  return merged;
}

/** The link types to try in order: `[cache] type`, else reflink then copy (never shares bytes with the cache). */
export function linkTypes(config: DataConfig, file = ".dvc/config"): LinkType[] {
  const value = config.cache?.type;
  if (value === undefined || value.trim() === "") return ["reflink", "copy"];
  const types = value.split(",").map((item) => item.trim());
  for (const type of types)
    if (!LINK_TYPES.includes(type as LinkType))
      throw new LatheError(
        "CONFIG_INVALID",
        `${file}: [cache] type has unknown link type '${type}'. Use a comma list of ${LINK_TYPES.join(", ")}.`,
      );
  return types as LinkType[];
}

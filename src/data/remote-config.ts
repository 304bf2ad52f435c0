/**
 * @module data/remote-config
 * `lathe remote add|default|list|modify`: edits `.dvc/config` (or `config.local` with `--local`) in
 * DVC's INI form — `['remote "name"']` sections with `url = …`, and `[core] remote = name` for the
 * default — keeping every other line as it was. Writes are atomic.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { alreadyExists, invalidParameter, notFound } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { loadDataConfig } from "./config.js";
import type { DataRepo } from "./repo.js";

const NAME = /^[\w.-]+$/;

export function remoteSection(name: string): string {
  return `remote "${name}"`;
}

function headerOf(section: string): string {
  return section.includes('"') ? `['${section}']` : `[${section}]`;
}

/** The section a header line opens, or undefined for other lines. */
function sectionOfLine(line: string): string | undefined {
  const match = /^\s*\[\s*'?([^'\]]+?)'?\s*\]\s*$/.exec(line);
  return match?.[1]?.trim();
}

/** Sets `key = value` in `section` of the INI text, adding the section or key when missing. */
export function setIniValue(text: string, section: string, key: string, value: string | undefined): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const start = lines.findIndex((line) => sectionOfLine(line) === section);
  if (start < 0) {
    if (value === undefined) return text;
    lines.push(headerOf(section), `    ${key} = ${value}`);
    return `${lines.join("\n")}\n`;
  }
  let end = start + 1;
  while (end < lines.length && sectionOfLine(lines[end]!) === undefined) end++;
  const at = lines
    .slice(start + 1, end)
    .findIndex((line) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`).test(line));
  if (at >= 0) {
    if (value === undefined) lines.splice(start + 1 + at, 1);
    else lines[start + 1 + at] = `    ${key} = ${value}`;
  } else if (value !== undefined) {
    lines.splice(end, 0, `    ${key} = ${value}`);
  }
  return `${lines.join("\n")}\n`;
}

async function editConfig(repo: DataRepo, local: boolean, edit: (text: string) => string): Promise<void> {
  const file = join(repo.dvcDir, local ? "config.local" : "config");
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch {
    text = "";
  }
  await writeFileAtomic(file, edit(text));
}

/**
 * The URL as stored in the config: a relative folder given on the command line (relative to `cwd`)
 * becomes relative to `.dvc/`, where DVC resolves it, so it names the same place from every clone.
 * URLs with a scheme and absolute paths are kept as given.
 */
export function storedRemoteUrl(repo: DataRepo, url: string, cwd: string = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || isAbsolute(url)) return url;
  return relative(repo.dvcDir, resolve(cwd, url)).split(sep).join("/") || ".";
}

export interface RemoteAddOptions {
  /** Folder a relative folder URL is relative to (default: the process's). */
  cwd?: string;
  /** Also make it the default remote. */
  default?: boolean;
  /** Replace an existing remote of that name. */
  force?: boolean;
  /** Write to `.dvc/config.local` (not committed), for credentials. */
  local?: boolean;
}

export async function addRemote(
  repo: DataRepo,
  name: string,
  url: string,
  options: RemoteAddOptions = {},
): Promise<void> {
  if (!NAME.test(name)) throw invalidParameter(`Invalid remote name '${name}': use letters, digits, '.', '_' and '-'.`);
  if (url.trim() === "")
    throw invalidParameter("The remote URL is empty: give a folder path or an s3://bucket/prefix URL.");
  const config = await loadDataConfig(repo.dvcDir);
  if (config[remoteSection(name)] && !options.force) {
    throw alreadyExists(
      `Remote '${name}' already exists. Use 'lathe remote modify ${name} url <url>', or add it with --force to replace it.`,
    );
  }
  await editConfig(repo, options.local ?? false, (text) => {
    const withUrl = setIniValue(text, remoteSection(name), "url", storedRemoteUrl(repo, url, options.cwd));
    return options.default ? setIniValue(withUrl, "core", "remote", name) : withUrl;
  });
}

export async function setDefaultRemote(repo: DataRepo, name: string, options: { local?: boolean } = {}): Promise<void> {
  const config = await loadDataConfig(repo.dvcDir);
  if (!config[remoteSection(name)])
    throw notFound(`No remote named '${name}'. Add it first: lathe remote add ${name} <url>.`);
  await editConfig(repo, options.local ?? false, (text) => setIniValue(text, "core", "remote", name));
}

export async function modifyRemote(
  repo: DataRepo,
  name: string,
  key: string,
  value: string | undefined,
  options: { local?: boolean; cwd?: string } = {},
): Promise<void> {
  if (key === "url" && value !== undefined) value = storedRemoteUrl(repo, value, options.cwd);
  if (!/^[a-z_]+$/.test(key))
    throw invalidParameter(
      `Invalid option '${key}': remote options are lower-case words such as url, endpointurl, region, jobs.`,
    );
  const config = await loadDataConfig(repo.dvcDir);
  if (!config[remoteSection(name)])
    throw notFound(`No remote named '${name}'. Add it first: lathe remote add ${name} <url>.`);
  await editConfig(repo, options.local ?? false, (text) => setIniValue(text, remoteSection(name), key, value));
}

export interface RemoteEntry {
  name: string;
  url: string;
  default: boolean;
}

export async function listRemotes(repo: DataRepo): Promise<RemoteEntry[]> {
  const config = await loadDataConfig(repo.dvcDir);
  const defaultName = config.core?.remote;
  return Object.entries(config)
    .map(([section, values]) => ({ name: /^remote "(.+)"$/.exec(section)?.[1], values }))
    .filter((entry): entry is { name: string; values: Record<string, string> } => entry.name !== undefined)
    .map(({ name, values }) => ({ name, url: values.url ?? "", default: name === defaultName }));
}

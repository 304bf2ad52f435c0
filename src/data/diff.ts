/**
 * @module data/diff
 * `lathe diff [a_rev] [b_rev]`: which tracked files were added, deleted, modified or renamed between
 * two git revisions, or between a revision and the workspace (reference/dvc.md §3, as `dvc diff`).
 * A revision's outputs come from the `.dvc` files git holds at that commit, read in one
 * `git cat-file --batch`; the workspace's are hashed now, reusing stored hashes of unchanged files.
 * Directories are expanded into their files through `.dir` manifests in the cache; a directory whose
 * manifest the cache lacks is reported as a whole and listed under `not in cache`.
 */
import { spawn } from "node:child_process";
import { posix, relative, resolve, sep } from "node:path";
import { LatheError } from "../core/errors.js";
import { compareCodePoints } from "../core/python-json.js";
import { parseManifest } from "./manifest.js";
import { parsePointer } from "./pointer.js";
import { hashPath } from "./walk.js";
import { collectOuts, type Workspace } from "./workspace.js";

/** A path that exists on one side only. Directories end with `/`. */
export interface DiffEntry {
  readonly path: string;
  readonly hash: string;
}

/** A path whose content differs between the two sides. */
export interface ModifiedEntry {
  readonly path: string;
  readonly hash: { readonly old: string; readonly new: string };
}

/** Content that moved to another path unchanged. */
export interface RenamedEntry {
  readonly path: { readonly old: string; readonly new: string };
  readonly hash: string;
}

/**
 * The changes between two sides, keyed as `dvc diff --json` keys them. `not in cache` lists the
 * directories whose `.dir` manifest the cache lacks, so their files could not be compared one by one.
 */
export interface DataDiff {
  readonly added: DiffEntry[];
  readonly deleted: DiffEntry[];
  readonly modified: ModifiedEntry[];
  readonly renamed: RenamedEntry[];
  readonly "not in cache": DiffEntry[];
}

/** Options of {@link diffData}. */
export interface DiffOptions {
  /** The old side: a git revision; default `HEAD`. */
  aRev?: string;
  /** The new side: a git revision; default the workspace. */
  bRev?: string;
  /** Limit the diff to these paths (tracked outputs, folders holding them, files inside them, or `.dvc` files). */
  targets?: readonly string[];
  /** Folder targets are relative to; default the process's. */
  cwd?: string;
  /** Pair deleted and added files with the same content as renames; default true. */
  renames?: boolean;
}

/** One output on one side: its recorded hash and, for a workspace directory, its current files. */
interface SideOut {
  readonly md5: string;
  readonly legacy: boolean;
  readonly files?: readonly { relpath: string; md5: string }[];
}

/** Output path (repository-relative) → what that side holds there. */
type Side = Map<string, SideOut>;

function runGit(root: string, args: readonly string[], input?: string): Promise<{ code: number; stdout: Buffer }> {
  return new Promise((done, fail) => {
    const child = spawn("git", args, { cwd: root, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", (error) =>
      fail(new LatheError("INVALID_STATE", `Cannot run git (${error.message}); lathe diff needs git on the PATH.`)),
    );
    child.on("close", (code) => done({ code: code ?? 1, stdout: Buffer.concat(chunks) }));
    if (input !== undefined && child.stdin) {
      // A git that exits early closes its input; its exit code reports the problem.
      child.stdin.on("error", () => {});
      child.stdin.end(input);
    }
  });
}

/** The commit `rev` names, or a LatheError naming the revision and how to find a valid one. */
async function resolveRevision(root: string, rev: string): Promise<string> {
  if (rev.startsWith("-"))
    throw new LatheError("INVALID_PARAMETER_VALUE", `'${rev}' is not a git revision. Pass a commit, branch or tag.`);
  const inside = await runGit(root, ["rev-parse", "--is-inside-work-tree"]);
  if (inside.code !== 0)
    throw new LatheError(
      "INVALID_STATE",
      `lathe diff compares git revisions, but ${root} is not in a git repository. Run 'git init' and commit the .dvc files first.`,
    );
  const found = await runGit(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (found.code !== 0) {
    const hint =
      rev === "HEAD"
        ? "The repository has no commits yet: commit the .dvc files first, or name two revisions."
        : "Pass a commit, branch or tag that exists ('git log --oneline' lists them).";
    throw new LatheError("INVALID_PARAMETER_VALUE", `Unknown revision '${rev}': git cannot resolve it. ${hint}`);
  }
  return found.stdout.toString().trim();
}

/** Reads many blobs at once; `undefined` for a spec git does not find. */
async function readBlobs(root: string, specs: readonly string[]): Promise<(Buffer | undefined)[]> {
  if (specs.length === 0) return [];
  const { code, stdout } = await runGit(root, ["cat-file", "--batch"], `${specs.join("\n")}\n`);
  if (code !== 0) throw new LatheError("IO_ERROR", "git cat-file --batch failed while reading .dvc files.");
  const blobs: (Buffer | undefined)[] = [];
  let offset = 0;
  for (let index = 0; index < specs.length; index++) {
    const end = stdout.indexOf(0x0a, offset);
    if (end < 0) throw new LatheError("IO_ERROR", "git cat-file --batch ended early while reading .dvc files.");
    const header = stdout.subarray(offset, end).toString();
    offset = end + 1;
    const size = /^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) {
      blobs.push(undefined);
      continue;
    }
    blobs.push(stdout.subarray(offset, offset + Number(size)));
    offset += Number(size) + 1;
  }
  return blobs;
}

/** The outputs the `.dvc` files committed at `commit` track. */
async function revisionSide(workspace: Workspace, commit: string, rev: string): Promise<Side> {
  const root = workspace.repo.root;
  // The data repository may sit in a subfolder of the git repository.
  const prefix = (await runGit(root, ["rev-parse", "--show-prefix"])).stdout.toString().trim();
  const listing = await runGit(root, ["ls-tree", "-r", "-z", "--full-tree", "--name-only", commit]);
  if (listing.code !== 0) throw new LatheError("IO_ERROR", `git ls-tree could not list revision '${rev}'.`);
  const pointers = listing.stdout
    .toString()
    .split("\0")
    .filter((path) => path.startsWith(prefix) && path.endsWith(".dvc"))
    .map((path) => path.slice(prefix.length))
    .filter((path) => !path.split("/").some((part) => part === ".dvc" || part === ".git"));
  const blobs = await readBlobs(
    root,
    pointers.map((path) => `${commit}:${prefix}${path}`),
  );
  const side: Side = new Map();
  pointers.forEach((pointer, index) => {
    const blob = blobs[index];
    if (blob === undefined) return;
    const parsed = parsePointer(blob.toString("utf8"), `${pointer} at ${rev}`);
    for (const out of parsed.outs) {
      if (out.md5 === undefined) continue;
      const path = posix.normalize(posix.join(posix.dirname(pointer), out.path));
      side.set(path, { md5: out.md5, legacy: out.hash !== "md5" });
    }
  });
  return side;
}

/** The workspace's outputs as they are now (hashed, reusing stored hashes); absent paths are left out. */
async function workspaceSide(workspace: Workspace): Promise<Side> {
  const side: Side = new Map();
  for (const tracked of await collectOuts(workspace)) {
    await workspace.ignore.loadAncestors(tracked.absolute);
    // A DVC 2 entry keeps being compared with its own hash, as status does.
    const legacy = tracked.out.md5 !== undefined && tracked.out.hash !== "md5";
    const current = await hashPath(
      tracked.absolute,
      workspace.ignore,
      workspace.state,
      legacy ? "md5-dos2unix" : "md5",
    );
    if (current === undefined) continue;
    side.set(tracked.relpath, {
      md5: current.md5,
      legacy,
      ...(current.kind === "dir" ? { files: current.manifest.entries } : {}),
    });
  }
  return side;
}

/**
 * The files of one output on one side, path → hash, with the directory itself under `path/`.
 * `whole` is true when a directory could not be expanded because its manifest is not in the cache.
 */
async function expand(
  workspace: Workspace,
  path: string,
  out: SideOut,
): Promise<{ files: Map<string, string>; whole: boolean }> {
  const files = new Map<string, string>();
  if (!out.md5.endsWith(".dir")) {
    files.set(path, out.md5);
    return { files, whole: false };
  }
  files.set(`${path}/`, out.md5);
  let entries = out.files;
  if (entries === undefined) {
    try {
      entries = parseManifest(await workspace.cache.readManifest(out.md5, out.legacy));
    } catch {
      return { files, whole: true };
    }
  }
  for (const entry of entries) files.set(`${path}/${entry.relpath}`, entry.md5);
  return { files, whole: false };
}

/** Keeps only the directory entry of an expanded side, to match a side that could not be expanded. */
function onlyDirectory(files: Map<string, string>, path: string): Map<string, string> {
  const hash = files.get(`${path}/`);
  return hash === undefined ? files : new Map([[`${path}/`, hash]]);
}

/** Repository-relative POSIX forms of the targets (`x.dvc` stands for `x`). */
function targetPaths(workspace: Workspace, targets: readonly string[], cwd: string): string[] {
  return targets.map((target) => {
    const rel = relative(workspace.repo.root, resolve(cwd, target)).split(sep).join("/");
    if (rel.startsWith("..") || rel === "")
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `Target '${target}' is not inside the data repository ${workspace.repo.root}; name a tracked path below it.`,
      );
    return rel.endsWith(".dvc") ? rel.slice(0, -4) : rel;
  });
}

function under(path: string, target: string): boolean {
  const bare = path.endsWith("/") ? path.slice(0, -1) : path;
  return bare === target || bare.startsWith(`${target}/`);
}

/** Pairs deleted and added paths with equal content, one to one (a directory pairs only with a directory). */
function pairRenames(added: DiffEntry[], deleted: DiffEntry[]): RenamedEntry[] {
  const renamed: RenamedEntry[] = [];
  const byHash = new Map<string, DiffEntry[]>();
  for (const entry of deleted) {
    byHash.set(entry.hash, [...(byHash.get(entry.hash) ?? []), entry]);
  }
  const matchedOld = new Set<DiffEntry>();
  const matchedNew = new Set<DiffEntry>();
  for (const entry of added) {
    const old = byHash.get(entry.hash)?.shift();
    if (!old) continue;
    matchedOld.add(old);
    matchedNew.add(entry);
    renamed.push({ path: { old: old.path, new: entry.path }, hash: entry.hash });
  }
  const keep = (list: DiffEntry[], matched: Set<DiffEntry>) => {
    const rest = list.filter((entry) => !matched.has(entry));
    list.splice(0, list.length, ...rest);
  };
  keep(added, matchedNew);
  keep(deleted, matchedOld);
  return renamed;
}

const byPath = (a: { path: string }, b: { path: string }) => compareCodePoints(a.path, b.path);

/** Compares the tracked data of two revisions, or of a revision and the workspace. */
export async function diffData(workspace: Workspace, options: DiffOptions = {}): Promise<DataDiff> {
  const root = workspace.repo.root;
  const aRev = options.aRev ?? "HEAD";
  const aCommit = await resolveRevision(root, aRev);
  const bCommit = options.bRev === undefined ? undefined : await resolveRevision(root, options.bRev);
  const oldSide = await revisionSide(workspace, aCommit, aRev);
  const newSide =
    bCommit === undefined ? await workspaceSide(workspace) : await revisionSide(workspace, bCommit, options.bRev!);

  const targets = targetPaths(workspace, options.targets ?? [], options.cwd ?? process.cwd());
  for (const target of targets) {
    const tracked = [...oldSide.keys(), ...newSide.keys()].some(
      (out) => under(out, target) || target.startsWith(`${out}/`),
    );
    if (!tracked)
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `No .dvc file tracks '${target}' at ${aRev} or ${options.bRev ?? "in the workspace"}. Name a tracked path (see 'lathe status'), or leave --targets out.`,
      );
  }
  const wanted = (path: string) => targets.length === 0 || targets.some((target) => under(path, target));

  const before = new Map<string, string>();
  const after = new Map<string, string>();
  const notInCache: DiffEntry[] = [];
  for (const path of new Set([...oldSide.keys(), ...newSide.keys()])) {
    const old = oldSide.get(path);
    const now = newSide.get(path);
    if (old && now && old.md5 === now.md5) continue;
    let oldFiles = old ? await expand(workspace, path, old) : undefined;
    let newFiles = now ? await expand(workspace, path, now) : undefined;
    if (oldFiles?.whole || newFiles?.whole) {
      // Files of one side cannot be compared with a side whose file list is unknown.
      if (oldFiles) oldFiles = { files: onlyDirectory(oldFiles.files, path), whole: oldFiles.whole };
      if (newFiles) newFiles = { files: onlyDirectory(newFiles.files, path), whole: newFiles.whole };
    }
    for (const [side, found] of [
      [before, oldFiles],
      [after, newFiles],
    ] as const) {
      if (!found) continue;
      for (const [file, hash] of found.files) side.set(file, hash);
      if (found.whole && wanted(`${path}/`)) notInCache.push({ path: `${path}/`, hash: found.files.get(`${path}/`)! });
    }
  }

  const added: DiffEntry[] = [];
  const deleted: DiffEntry[] = [];
  const modified: ModifiedEntry[] = [];
  for (const [path, hash] of after) {
    if (!wanted(path)) continue;
    const old = before.get(path);
    if (old === undefined) added.push({ path, hash });
    else if (old !== hash) modified.push({ path, hash: { old, new: hash } });
  }
  for (const [path, hash] of before) if (wanted(path) && !after.has(path)) deleted.push({ path, hash });
  const renamed = options.renames === false ? [] : pairRenames(added, deleted);
  return {
    added: added.sort(byPath),
    deleted: deleted.sort(byPath),
    modified: modified.sort(byPath),
    renamed: renamed.sort((a, b) => compareCodePoints(a.path.new, b.path.new)),
    "not in cache": notInCache.sort(byPath),
  };
}

/** True when the diff has nothing to report. */
export function isEmptyDiff(diff: DataDiff): boolean {
  return (
    diff.added.length +
      diff.deleted.length +
      diff.modified.length +
      diff.renamed.length +
      diff["not in cache"].length ===
    0
  );
}

/**
 * The diff as `dvc diff` prints it: one section per kind of change, paths indented by four spaces,
 * then a count of files (directories, which end in `/`, are not counted).
 * @example formatDiff(diff) // "Added:\n    data.csv\n\nfiles summary: 1 added, 0 deleted, 0 modified"
 */
export function formatDiff(diff: DataDiff): string {
  const sections: string[] = [];
  const section = (title: string, lines: string[]) => {
    if (lines.length > 0) sections.push(`${title}:\n${lines.map((line) => `    ${line}`).join("\n")}`);
  };
  section(
    "Added",
    diff.added.map((entry) => entry.path),
  );
  section(
    "Deleted",
    diff.deleted.map((entry) => entry.path),
  );
  section(
    "Renamed",
    diff.renamed.map((entry) => `${entry.path.old} -> ${entry.path.new}`),
  );
  section(
    "Modified",
    diff.modified.map((entry) => entry.path),
  );
  section(
    "Not in cache",
    diff["not in cache"].map(
      (entry) =>
        `${entry.path} (the cache lacks its manifest ${entry.hash}, so its files are not listed; fetch that version to see them)`,
    ),
  );
  const files = (list: readonly { path: string | { new: string } }[]) =>
    list.filter((entry) => !(typeof entry.path === "string" ? entry.path : entry.path.new).endsWith("/")).length;
  const counts = [
    `${files(diff.added)} added`,
    `${files(diff.deleted)} deleted`,
    ...(diff.renamed.length > 0 ? [`${files(diff.renamed)} renamed`] : []),
    `${files(diff.modified)} modified`,
    ...(diff["not in cache"].length > 0 ? [`${diff["not in cache"].length} not in cache`] : []),
  ];
  sections.push(`files summary: ${counts.join(", ")}`);
  return sections.join("\n\n");
}

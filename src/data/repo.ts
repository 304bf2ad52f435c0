/**
 * @module data/repo
 * Finding and creating a data repository: the folder holding `.dvc/`, its cache and temp folders,
 * and `lathe init`, which lays out `.dvc/` as `dvc init` does.
 */
import { execFileSync } from "node:child_process";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { type DataConfig, loadDataConfig } from "./config.js";

/** An opened data repository. */
export interface DataRepo {
  /** Absolute workspace root (the folder holding `.dvc/`). */
  readonly root: string;
  readonly dvcDir: string;
  /** Cache root (`.dvc/cache` unless `[cache] dir` moves it). */
  readonly cacheDir: string;
  readonly tmpDir: string;
  readonly config: DataConfig;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Opens the data repository containing `start`, or says how to create one. */
export async function openDataRepo(start: string = process.cwd()): Promise<DataRepo> {
  let folder = resolve(start);
  for (;;) {
    if (await isDirectory(join(folder, ".dvc"))) {
      const dvcDir = join(folder, ".dvc");
      const config = await loadDataConfig(dvcDir);
      const cacheSetting = config.cache?.dir;
      return {
        root: folder,
        dvcDir,
        cacheDir: cacheSetting ? resolve(dvcDir, cacheSetting) : join(dvcDir, "cache"),
        tmpDir: join(dvcDir, "tmp"),
        config,
      };
    }
    const parent = dirname(folder);
    if (parent === folder)
      throw new LatheError(
        "INVALID_STATE",
        `${resolve(start)} is not inside a data repository (no .dvc folder found). Run 'lathe init' at the root of your git repository first.`,
      );
    folder = parent;
  }
}

function gitRoot(folder: string): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: folder, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Options of {@link initDataRepo}. */
export interface InitOptions {
  /** Allow a folder that is not a git repository (`[core] no_scm = True`). */
  noScm?: boolean;
  /** Re-initialise an existing `.dvc/`. */
  force?: boolean;
}

/** Makes `folder` (the root of a git repository) a data repository; returns its root. */
export async function initDataRepo(folder: string, options: InitOptions = {}): Promise<string> {
  const root = resolve(folder);
  const git = gitRoot(root);
  if (!options.noScm) {
    if (git === undefined)
      throw new LatheError(
        "INVALID_STATE",
        `${root} is not a git repository. Run 'git init' first, or 'lathe init --no-scm' to version data without git.`,
      );
    if (resolve(git) !== root)
      throw new LatheError(
        "INVALID_STATE",
        `${root} is inside the git repository ${git} but is not its root. Run 'lathe init' in ${git}.`,
      );
  }
  const dvcDir = join(root, ".dvc");
  if ((await isDirectory(dvcDir)) && !options.force)
    throw new LatheError("RESOURCE_ALREADY_EXISTS", `${dvcDir} already exists. Pass --force to initialise it again.`);
  await mkdir(join(dvcDir, "tmp"), { recursive: true });
  await writeFileAtomic(join(dvcDir, ".gitignore"), "/config.local\n/tmp\n/cache\n");
  await writeFileAtomic(join(dvcDir, "config"), options.noScm ? "[core]\n    no_scm = True\n" : "");
  const ignoreFile = join(root, ".dvcignore");
  try {
    await writeFile(
      ignoreFile,
      "# Paths listed here (gitignore syntax) are skipped when lathe or dvc walks the workspace.\n",
      { flag: "wx" },
    );
  } catch {
    // An existing .dvcignore is the user's; keep it.
  }
  return root;
}

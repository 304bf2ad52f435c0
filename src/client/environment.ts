/**
 * @module client/environment
 * What a run ran on, recorded as tags when it starts so two runs' environments can be compared later
 * (`lathe runs diff-env A B`): Node, OS, Python, the git commit and whether the tree was dirty, the
 * nearest lock file's hash, and MLflow's usual source tags. Every probe is bounded by a timeout and
 * simply leaves its tag out when it finds nothing.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { arch, platform, release, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Tag } from "../tracking/entities.js";

export const ENVIRONMENT_TAGS = {
  node: "lathe.env.node",
  os: "lathe.env.os",
  python: "lathe.env.python",
  gitCommit: "mlflow.source.git.commit",
  gitDirty: "lathe.env.git.dirty",
  lockfile: "lathe.env.lockfile",
  user: "mlflow.user",
  sourceName: "mlflow.source.name",
  sourceType: "mlflow.source.type",
} as const;

/** Lock files looked for in each folder from the working folder upward, first match wins. */
export const LOCKFILE_NAMES = ["package-lock.json", "poetry.lock", "uv.lock", "requirements.txt"] as const;

export interface EnvironmentOptions {
  /** Folder the git and lock file probes start from; default `process.cwd()`. */
  cwd?: string;
  /** Longest a probe (python3, git) may take, in ms; default 2000. */
  timeoutMs?: number;
}

const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set(Object.values(ENVIRONMENT_TAGS));

/** Runs a command; its trimmed stdout+stderr and whether it exited 0. Never throws. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(command, args, { cwd, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      resolvePromise({ ok: error === null, output: `${stdout}${stderr}`.trim() });
    });
  });
}

let pythonVersion: Promise<string | undefined> | undefined;

/** `python3 --version`, asked once per process: it does not change while a script runs. */
function probePython(cwd: string, timeoutMs: number): Promise<string | undefined> {
  pythonVersion ??= run("python3", ["--version"], cwd, timeoutMs).then(({ ok, output }) =>
    ok ? /Python\s+(\S+)/.exec(output)?.[1] : undefined,
  );
  return pythonVersion;
}

async function probeGit(cwd: string, timeoutMs: number): Promise<{ commit?: string; dirty?: string }> {
  const head = await run("git", ["rev-parse", "HEAD"], cwd, timeoutMs);
  if (!head.ok || !/^[0-9a-f]{40,64}$/.test(head.output)) return {};
  const status = await run("git", ["status", "--porcelain"], cwd, timeoutMs);
  return status.ok ? { commit: head.output, dirty: String(status.output !== "") } : { commit: head.output };
}

/** `<name> sha256:<hex>` of the nearest lock file above `cwd`, or undefined. */
async function probeLockfile(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of LOCKFILE_NAMES) {
      try {
        const content = await readFile(join(dir, name));
        return `${name} sha256:${createHash("sha256").update(content).digest("hex")}`;
      } catch {
        // Not here; try the next name, then the parent folder.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Who runs the script, the way Python's getpass.getuser() (which MLflow uses) finds it. */
function currentUser(): string {
  const env = process.env;
  const fromEnv = env.LOGNAME || env.USER || env.LNAME || env.USERNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * The environment tags of a run started now from `cwd`.
 *
 * @example
 * const tags = await collectEnvironmentTags();
 * tags["lathe.env.node"]; // "v20.20.2"
 */
export async function collectEnvironmentTags(options: EnvironmentOptions = {}): Promise<Record<string, string>> {
  const cwd = options.cwd ?? process.cwd();
  const timeoutMs = options.timeoutMs ?? 2000;
  const [python, git, lockfile] = await Promise.all([
    probePython(cwd, timeoutMs),
    probeGit(cwd, timeoutMs),
    probeLockfile(cwd),
  ]);
  const tags: Record<string, string> = {
    [ENVIRONMENT_TAGS.node]: process.version,
    [ENVIRONMENT_TAGS.os]: `${platform()} ${release()} ${arch()}`,
    [ENVIRONMENT_TAGS.user]: currentUser(),
    [ENVIRONMENT_TAGS.sourceName]: process.argv[1] ?? process.argv0,
    [ENVIRONMENT_TAGS.sourceType]: "LOCAL",
  };
  if (python) tags[ENVIRONMENT_TAGS.python] = python;
  if (git.commit) tags[ENVIRONMENT_TAGS.gitCommit] = git.commit;
  if (git.dirty) tags[ENVIRONMENT_TAGS.gitDirty] = git.dirty;
  if (lockfile) tags[ENVIRONMENT_TAGS.lockfile] = lockfile;
  return tags;
}

/** True for the tags `collectEnvironmentTags` writes (any `lathe.env.*` key counts, for later additions). */
export function isEnvironmentTag(key: string): boolean {
  return ENVIRONMENT_KEYS.has(key) || key.startsWith("lathe.env.");
}

function toRecord(tags: Readonly<Record<string, string>> | readonly Tag[]): Map<string, string> {
  const entries = Array.isArray(tags)
    ? (tags as readonly Tag[]).map((tag): [string, string] => [tag.key, tag.value])
    : Object.entries(tags as Readonly<Record<string, string>>);
  return new Map(entries.filter(([key]) => isEnvironmentTag(key)));
}

/**
 * The environment tag keys whose values differ between two runs' tags, sorted; a key present on one
 * side only counts as different. Other tags are ignored, so whole run tag lists can be passed.
 *
 * @example
 * diffEnvironments(runA.data.tags, runB.data.tags); // ["lathe.env.git.dirty", "lathe.env.node"]
 */
export function diffEnvironments(
  tagsA: Readonly<Record<string, string>> | readonly Tag[],
  tagsB: Readonly<Record<string, string>> | readonly Tag[],
): string[] {
  const a = toRecord(tagsA);
  const b = toRecord(tagsB);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((key) => a.get(key) !== b.get(key)).sort();
}

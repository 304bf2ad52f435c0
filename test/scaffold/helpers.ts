/**
 * Shared by the scaffold tests: a bin folder with `lathe` (this checkout's source) and `tsx` on
 * the PATH, as `npm ci` would provide them in a generated project, and a runner for commands.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxBin = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** A folder holding `lathe` and `tsx` executables. */
export async function makeBinFolder(): Promise<string> {
  const bin = await realpath(await mkdtemp(join(tmpdir(), "lathe-scaffold-bin-")));
  const shim = join(bin, "lathe");
  await writeFile(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" --import "${import.meta.resolve("tsx")}" "${main}" "$@"\n`,
  );
  await chmod(shim, 0o755);
  await symlink(tsxBin, join(bin, "tsx"));
  return bin;
}

/** Runs a command in `cwd` with `bin` first on the PATH and no tracking server; returns stdout. */
export function run(bin: string, cwd: string, command: string, args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1" };
  delete env.MLFLOW_TRACKING_URI;
  try {
    return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${failure.stdout}\n${failure.stderr}`);
  }
}

/**
 * @module deploy/output
 * Writing generated files into the `--out` folder: every target is checked first, so an existing
 * file without `--force` stops the command before anything is written.
 */
import { access } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";

/** Relative path → file content. */
export type GeneratedFiles = Record<string, string>;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `files` under `outDir`; returns the absolute paths written. */
export async function writeGeneratedFiles(
  outDir: string,
  files: GeneratedFiles,
  options: { force?: boolean; cwd?: string } = {},
): Promise<string[]> {
  const root = resolve(options.cwd ?? process.cwd(), outDir);
  const targets = Object.keys(files).map((path) => join(root, path));
  if (!options.force) {
    const present: string[] = [];
    for (const target of targets) if (await exists(target)) present.push(relative(process.cwd(), target) || target);
    if (present.length > 0)
      throw new LatheError(
        "RESOURCE_ALREADY_EXISTS",
        `Refusing to overwrite ${present.join(", ")}. Pass --force to replace them, or --out another folder.`,
      );
  }
  for (const [path, content] of Object.entries(files)) await writeFileAtomic(join(root, path), content);
  return targets;
}

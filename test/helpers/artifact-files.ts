/**
 * Folders of artifacts for upload tests, and a byte-exact picture of a folder to compare downloads with.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Writes `content` to `path`, creating its folders. */
export function writeFile(path: string, content: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

/** Every file under `dir` with its content (base64), keyed by POSIX relative path. */
export function fileTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path).split("\\").join("/")] = readFileSync(path).toString("base64");
  }
  return files;
}

/** `<parent>/<name>`: a text file, a 70 kB binary file and a nested folder. */
export function makeArtifactFolder(parent: string, name: string): string {
  const dir = join(parent, name);
  writeFile(join(dir, "notes.txt"), "hello");
  writeFile(join(dir, "weights.bin"), randomBytes(70_000));
  writeFile(join(dir, "nested", "deep", "config.json"), '{"k": [1, 2]}');
  return dir;
}

/**
 * @module data/link
 * Places a cache object at a workspace path using the first link type that works, in the order
 * of `[cache] type` (reference/dvc.md §1.6, §2.6). The replacement is atomic: the link is made
 * beside the target and renamed over it.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, copyFile, link, mkdir, readdir, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { LinkType } from "./config.js";

/** Makes `temp` a link of `type` to `object`: a reflink or copy (writable, 0644), a hard link or a symlink. */
export async function makeLink(type: LinkType, object: string, temp: string): Promise<void> {
  switch (type) {
    case "reflink":
      await copyFile(object, temp, constants.COPYFILE_FICLONE_FORCE);
      await chmod(temp, 0o644);
      return;
    case "copy":
      await copyFile(object, temp);
      await chmod(temp, 0o644);
      return;
    case "hardlink":
      await link(object, temp);
      return;
    case "symlink":
      await symlink(object, temp);
      return;
  }
}

const LEFTOVER = /^\..+\.[0-9a-f]{12}\.lathe-tmp$/;

/**
 * True for the name of a temporary link a killed checkout left behind (`.<name>.<12 hex>.lathe-tmp`):
 * walks skip such files and checkout deletes them, so an interrupted checkout never shows up as data.
 */
export function isLinkLeftover(name: string): boolean {
  return LEFTOVER.test(name);
}

/** Deletes temporary links a killed checkout left beside `target`. */
export async function removeLeftoversOf(target: string): Promise<void> {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(prefix) && isLinkLeftover(name)) await rm(join(dirname(target), name), { force: true });
}

/** A fresh temporary name beside `target` that walks skip and checkout clears as a leftover. */
export function linkTemporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.lathe-tmp`);
}

/** Links `object` to `target` with the first of `types` the file system supports; returns the type used. */
export async function linkObject(object: string, target: string, types: readonly LinkType[]): Promise<LinkType> {
  await mkdir(dirname(target), { recursive: true });
  let lastError: unknown;
  for (const type of types) {
    const temp = linkTemporaryPath(target);
    try {
      await makeLink(type, object, temp);
      await rename(temp, target);
      return type;
    } catch (error) {
      lastError = error;
      await rm(temp, { force: true });
    }
  }
  throw lastError;
}

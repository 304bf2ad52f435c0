/**
 * @module data
 * Data versioning with DVC 3's formats: hashing, `.dir` manifests, `.dvc` pointer files, the
 * cache, hash reuse, the repository lock, and the add/status/checkout/gc commands.
 */
export type { AddResult } from "./add.js";
export { addPath } from "./add.js";
export { ObjectCache } from "./cache.js";
export type { CheckoutOptions, CheckoutResult } from "./checkout.js";
export { checkoutData } from "./checkout.js";
export type { CommandOptions } from "./commands.js";
export {
  addCommand,
  checkoutCommand,
  cloudStatusCommand,
  diffCommand,
  gcCommand,
  statusCommand,
} from "./commands.js";
export type { DataConfig, LinkType } from "./config.js";
export { linkTypes, loadDataConfig, parseDataConfig } from "./config.js";
export type { DataDiff, DiffEntry, DiffOptions, ModifiedEntry, RenamedEntry } from "./diff.js";
export { diffData, formatDiff, isEmptyDiff } from "./diff.js";
export type { GcOptions, GcResult } from "./gc.js";
export { collectGarbage, usedObjects } from "./gc.js";
export type { HashAlgorithm } from "./hash.js";
export { hashFile, looksLikeText, md5Hex } from "./hash.js";
export { IgnoreMatcher } from "./ignore.js";
export { linkObject } from "./link.js";
export type { LockOptions, RepoLock } from "./lock.js";
export { acquireLock, withLock } from "./lock.js";
export type { DirManifest, ManifestEntry } from "./manifest.js";
export { buildManifest, parseManifest } from "./manifest.js";
export type { PointerFile, PointerOut, PointerRecord } from "./pointer.js";
export { formatPointer, parsePointer, readPointer, updatePointerText, writePointer } from "./pointer.js";
export type { DataRepo, InitOptions } from "./repo.js";
export { initDataRepo, openDataRepo } from "./repo.js";
export type { StageOut } from "./stage-md5.js";
export { stageMd5 } from "./stage-md5.js";
export { HashState } from "./state.js";
export type {
  CloudObjectStatus,
  CloudState,
  CloudStatus,
  CloudStatusOptions,
  OutState,
  OutStatus,
} from "./status.js";
export { cloudStatus, dataStatus } from "./status.js";
export type { PathHash, WalkedFile } from "./walk.js";
export { hashPath, walkFiles } from "./walk.js";
export type { TrackedOut, Workspace } from "./workspace.js";
export { collectOuts, filterOuts, findPointerFiles, openWorkspace } from "./workspace.js";

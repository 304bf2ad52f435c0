/**
 * @module data/remotes
 * Data remotes for push, pull and fetch: a local folder or S3, in DVC 3's object layout.
 */
export { LocalRemote } from "./local.js";
export type { OpenRemoteOptions } from "./open.js";
export { openRemote, remoteOptionsFromConfig } from "./open.js";
export type { CopiesAlongside, ObjectTransferOptions, Remote } from "./remote.js";
export {
  assertObjectHash,
  corruptObjectError,
  expectedMd5,
  hashFromObjectPath,
  isObjectHash,
  missingObjectError,
  remoteObjectPath,
} from "./remote.js";
export type { S3RemoteOptions } from "./s3.js";
export { parseS3Url, S3Remote } from "./s3.js";
export type {
  LocalObject,
  TransferFailure,
  TransferObject,
  TransferOptions,
  TransferProgress,
  TransferResult,
} from "./transfer.js";
export { defaultJobs, downloadObjects, transfer, uploadObjects, validateJobs } from "./transfer.js";
export type { HashingStream, VerifiedWrite } from "./verify.js";
export { createHashingStream, writeVerified } from "./verify.js";

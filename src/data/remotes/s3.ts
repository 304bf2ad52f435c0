/**
 * @module data/remotes/s3
 * A remote in an S3 bucket (AWS or any S3-compatible store: MinIO, Ceph, moto). Objects sit at
 * `<prefix>/files/md5/ab/cdef…`. Small files go up in one PUT carrying Content-MD5 so the store
 * rejects damaged bytes; large ones in parallel multipart parts. The AWS SDK loads on first use so
 * commands that never touch S3 start fast.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline, Readable } from "node:stream";
import type { ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import { invalidParameter, LatheError } from "../../core/errors.js";
import {
  assertObjectHash,
  corruptObjectError,
  corruptSourceError,
  expectedMd5,
  hashFromObjectPath,
  missingObjectError,
  type ObjectTransferOptions,
  type Remote,
  remoteObjectPath,
} from "./remote.js";
import { forEachBounded } from "./transfer.js";
import { createHashingStream, writeVerified } from "./verify.js";

const MIB = 1024 * 1024;
/** Most keys one DeleteObjects request may name. */
const DELETE_BATCH = 1000;

/** Connection and tuning settings of an S3 remote; unset ones fall back to the usual AWS environment. */
export interface S3RemoteOptions {
  /** Custom endpoint (DVC's `endpointurl`); default `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS. */
  endpointUrl?: string;
  /** Default `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`. */
  region?: string;
  /**
   * Static credentials; default `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`,
   * else the SDK's default chain (profile, SSO, instance role).
   */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Path-style addressing (`endpoint/bucket/key`); default on when a custom endpoint is set. */
  forcePathStyle?: boolean;
  /** Files of at least this many bytes use multipart upload; default 64 MiB. */
  multipartThreshold?: number;
  /** Multipart part size; default 16 MiB, minimum 5 MiB (S3's own floor). */
  partSize?: number;
  /** Parallel HeadObject requests in `exists`; default 32. */
  existsJobs?: number;
  /** Environment to read AWS_* variables from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Splits `s3://bucket/some/prefix/` into bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match?.[1]) throw invalidParameter(`"${url}" is not an S3 URL; expected s3://bucket or s3://bucket/prefix`);
  return { bucket: match[1], prefix: (match[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

interface S3Error {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function isMissing(error: unknown): boolean {
  const s3 = error as S3Error | undefined;
  // HeadObject answers a bare 404 (named NotFound); GetObject names the cause, and NoSuchBucket is not a missing object.
  return s3?.name === "NotFound" || s3?.name === "NoSuchKey";
}

/** A remote rooted at a bucket prefix. */
export class S3Remote implements Remote {
  readonly kind = "s3";
  readonly bucket: string;
  readonly prefix: string;
  private client: Promise<S3Client> | undefined;

  /**
   * @param url `s3://bucket/prefix`
   * @param options connection settings
   * @param label how messages name the remote; defaults to `url`
   */
  constructor(
    readonly url: string,
    private readonly options: S3RemoteOptions = {},
    private readonly label: string = url,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
    const partSize = options.partSize ?? 16 * MIB;
    if (partSize < 5 * MIB) throw invalidParameter(`S3 part size must be at least 5 MiB, got ${partSize} bytes`);
  }

  /** The key of object `hash` in the bucket. */
  objectKey(hash: string): string {
    const path = remoteObjectPath(hash);
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  /** The SDK client, created on first use. */
  getClient(): Promise<S3Client> {
    this.client ??= this.createClient();
    return this.client;
  }

  private async createClient(): Promise<S3Client> {
    const { S3Client } = await import("@aws-sdk/client-s3");
    const env = this.options.env ?? process.env;
    const endpoint = this.options.endpointUrl ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const accessKeyId = this.options.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = this.options.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = this.options.sessionToken ?? env.AWS_SESSION_TOKEN;
    return new S3Client({
      region: this.options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: this.options.forcePathStyle ?? endpoint !== undefined,
      // S3-compatible stores often reject the SDK's newer default CRC checksums; MD5 covers integrity here.
      ...(endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : {}),
      ...(accessKeyId && secretAccessKey
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
        : {}),
    });
  }

  private failure(action: string, hash: string, error: unknown): LatheError {
    if (error instanceof LatheError) return error;
    const s3 = error as S3Error | undefined;
    if (s3?.name === "NoSuchBucket") {
      return new LatheError(
        "CONFIG_INVALID",
        `Bucket "${this.bucket}" of remote ${this.label} does not exist; create it or fix the url (lathe remote modify)`,
        { cause: error },
      );
    }
    const status = s3?.$metadata?.httpStatusCode;
    const code = status === 401 || status === 403 ? "PERMISSION_DENIED" : "IO_ERROR";
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new LatheError(code, `Cannot ${action} ${hash} on remote ${this.label}: ${detail}`, { cause: error });
  }

  async exists(hashes: string[], options: { jobs?: number } = {}): Promise<Set<string>> {
    const { HeadObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await this.getClient();
    const found = new Set<string>();
    await forEachBounded(hashes, options.jobs ?? this.options.existsJobs ?? 32, async (hash) => {
      try {
        await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(hash) }));
        found.add(hash);
      } catch (error) {
        if (!isMissing(error)) throw this.failure("check", hash, error);
      }
    });
    return found;
  }

  async upload(localPath: string, hash: string, options: ObjectTransferOptions = {}): Promise<void> {
    const key = this.objectKey(hash);
    const md5 = expectedMd5(hash);
    const client = await this.getClient();
    const hashing = createHashingStream(options.onBytes);
    try {
      const { size } = await stat(localPath);
      pipeline(createReadStream(localPath), hashing.stream, () => {});
      if (size >= (this.options.multipartThreshold ?? 64 * MIB)) {
        const { Upload } = await import("@aws-sdk/lib-storage");
        const upload = new Upload({
          client,
          params: { Bucket: this.bucket, Key: key, Body: hashing.stream },
          partSize: this.options.partSize ?? 16 * MIB,
          queueSize: 4,
        });
        await upload.done();
      } else {
        const { PutObjectCommand } = await import("@aws-sdk/client-s3");
        const contentMd5 = Buffer.from(md5, "hex").toString("base64");
        await client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: hashing.stream,
            ContentLength: size,
            ContentMD5: contentMd5,
          }),
        );
      }
      const actual = hashing.digest();
      if (actual !== md5) {
        // The file changed under us or the cache is damaged: never leave a wrong object under this name.
        const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
        await client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
        throw corruptSourceError(hash, localPath, actual);
      }
    } catch (error) {
      // Release the file if the request failed before reading it all.
      hashing.stream.destroy();
      if ((error as S3Error | undefined)?.name === "BadDigest") {
        throw corruptSourceError(hash, localPath);
      }
      throw this.failure("push", hash, error);
    }
  }

  async download(hash: string, destination: string, options: ObjectTransferOptions = {}): Promise<void> {
    assertObjectHash(hash);
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await this.getClient();
    let result: Awaited<ReturnType<typeof writeVerified>>;
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(hash) }));
      if (!(response.Body instanceof Readable)) throw new Error("the response has no readable body");
      result = await writeVerified(response.Body, destination, expectedMd5(hash), options);
    } catch (error) {
      if (isMissing(error)) throw missingObjectError(hash, this.label);
      throw this.failure("fetch", hash, error);
    }
    if (!result.ok) throw corruptObjectError(hash, this.label, result.actual);
  }

  async *list(): AsyncIterable<string> {
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const client = await this.getClient();
    const base = this.prefix ? `${this.prefix}/files/md5/` : "files/md5/";
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: base,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (error) {
        throw this.failure("list", "objects", error);
      }
      for (const object of page.Contents ?? []) {
        const hash = object.Key ? hashFromObjectPath(object.Key.slice(base.length)) : undefined;
        if (hash) yield hash;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Deletes in DeleteObjects batches of 1000 keys, S3's maximum per request. */
  async delete(hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) return;
    const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
    const client = await this.getClient();
    for (let start = 0; start < hashes.length; start += DELETE_BATCH) {
      const batch = hashes.slice(start, start + DELETE_BATCH);
      let errors: { Key?: string; Code?: string; Message?: string }[];
      try {
        const response = await client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((hash) => ({ Key: this.objectKey(hash) })), Quiet: true },
          }),
        );
        errors = response.Errors ?? [];
      } catch (error) {
        throw this.failure("delete", `${batch.length} objects starting with`, error);
      }
      // A key that is already gone is not an error for S3; anything reported here is a real refusal.
      const first = errors[0];
      if (first)
        throw new LatheError(
          first.Code === "AccessDenied" ? "PERMISSION_DENIED" : "IO_ERROR",
          `Cannot delete ${errors.length} object(s) from remote ${this.label}, e.g. ${first.Key}: ${first.Code ?? "error"} ${first.Message ?? ""}`.trim() +
            ". Check the credentials allow s3:DeleteObject, then run gc again.",
        );
    }
  }
}

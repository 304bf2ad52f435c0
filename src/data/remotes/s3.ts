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
import type { S3Client } from "@aws-sdk/client-s3";
import { invalidParameter, LatheError } from "../../core/errors.js";
import {
  createS3Client,
  deleteObjectKeys,
  describeS3Error,
  isAccessDenied,
  isMissingBucket,
  isMissingObject,
  listObjectPages,
  parseS3Url,
  resolveS3Settings,
  type S3ConnectionOptions,
  type S3DeleteError,
  type S3ErrorShape,
} from "../../core/s3-connection.js";
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

export { parseS3Url };

const MIB = 1024 * 1024;

/** Connection and tuning settings of an S3 remote; unset ones fall back to the usual AWS environment. */
export interface S3RemoteOptions extends S3ConnectionOptions {
  /** Files of at least this many bytes use multipart upload; default 64 MiB. */
  multipartThreshold?: number;
  /** Multipart part size; default 16 MiB, minimum 5 MiB (S3's own floor). */
  partSize?: number;
  /** Parallel HeadObject requests in `exists`; default 32. */
  existsJobs?: number;
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

  private createClient(): Promise<S3Client> {
    return createS3Client(resolveS3Settings(this.options));
  }

  private failure(action: string, hash: string, error: unknown): LatheError {
    if (error instanceof LatheError) return error;
    if (isMissingBucket(error)) {
      return new LatheError(
        "CONFIG_INVALID",
        `Bucket "${this.bucket}" of remote ${this.label} does not exist; create it or fix the url (lathe remote modify)`,
        { cause: error },
      );
    }
    const code = isAccessDenied(error) ? "PERMISSION_DENIED" : "IO_ERROR";
    return new LatheError(code, `Cannot ${action} ${hash} on remote ${this.label}: ${describeS3Error(error)}`, {
      cause: error,
    });
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
        if (!isMissingObject(error)) throw this.failure("check", hash, error);
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
      if ((error as S3ErrorShape | undefined)?.name === "BadDigest") {
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
      if (isMissingObject(error)) throw missingObjectError(hash, this.label);
      throw this.failure("fetch", hash, error);
    }
    if (!result.ok) throw corruptObjectError(hash, this.label, result.actual);
  }

  async *list(): AsyncIterable<string> {
    const client = await this.getClient();
    const base = this.prefix ? `${this.prefix}/files/md5/` : "files/md5/";
    try {
      for await (const page of listObjectPages(client, { Bucket: this.bucket, Prefix: base })) {
        for (const object of page.Contents ?? []) {
          const hash = object.Key ? hashFromObjectPath(object.Key.slice(base.length)) : undefined;
          if (hash) yield hash;
        }
      }
    } catch (error) {
      throw this.failure("list", "objects", error);
    }
  }

  /** Deletes in DeleteObjects batches of 1000 keys, S3's maximum per request. */
  async delete(hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) return;
    const client = await this.getClient();
    let errors: S3DeleteError[];
    try {
      errors = await deleteObjectKeys(
        client,
        this.bucket,
        hashes.map((hash) => this.objectKey(hash)),
      );
    } catch (error) {
      throw this.failure("delete", `${hashes.length} objects starting with`, error);
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

/**
 * @module artifacts/s3
 * Artifact repository in an S3 bucket (AWS or any S3-compatible store), the `s3://bucket/prefix` artifact
 * roots MLflow's S3 repository reads and writes. Every path passes `validateArtifactPath` before it becomes
 * a key under the prefix, so no key leaves it, even on stores that normalise `..` in request paths. S3 has
 * no folders: a "folder" is the shared `<path>/` prefix of its keys, listed with the `/` delimiter. The
 * AWS SDK is imported on first use.
 */
import { pipeline, Readable, Transform } from "node:stream";
import type { ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import { invalidParameter, LatheError, notFound } from "../core/errors.js";
import {
  AWS_ENDPOINT_VARIABLES,
  createS3Client,
  deleteObjectKeys,
  describeS3Error,
  isAccessDenied,
  isMissingBucket,
  isMissingObject,
  listObjectPages,
  parseS3Url,
  resolveS3Settings,
  S3_MAX_KEYS,
  type S3ConnectionOptions,
  type S3DeleteError,
} from "../core/s3-connection.js";
import { validateArtifactPath } from "./path-safety.js";
import type { ArtifactFileInfo, ArtifactRepository } from "./repository.js";

const MIB = 1024 * 1024;
/** A bucket name as S3 and its look-alikes accept it (legacy names allowed upper case and '_'). */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/** Where MLflow clients look for a custom S3 endpoint, then the AWS CLI's variables. */
export const ARTIFACT_ENDPOINT_VARIABLES: readonly string[] = ["MLFLOW_S3_ENDPOINT_URL", ...AWS_ENDPOINT_VARIABLES];

/** Connection and tuning settings of an S3 artifact repository. */
export interface S3ArtifactOptions extends S3ConnectionOptions {
  /**
   * Bodies up to this size go up in one PUT, larger ones in multipart parts of this size; default 8 MiB,
   * minimum 5 MiB (S3's own floor).
   */
  partSize?: number;
  /** Keys per listing request; default 1000, S3's maximum. */
  listPageSize?: number;
}

/** One client per distinct connection, so repositories opened per request share their sockets. */
const clients = new Map<string, Promise<S3Client>>();

function sharedClient(options: S3ArtifactOptions): Promise<S3Client> {
  const settings = resolveS3Settings(options, ARTIFACT_ENDPOINT_VARIABLES);
  const key = JSON.stringify(settings);
  let client = clients.get(key);
  if (client === undefined) {
    client = createS3Client(settings);
    clients.set(key, client);
  }
  return client;
}

/** Splits and checks an `s3://bucket/prefix` artifact URI; the prefix must be a safe relative path. */
export function parseS3ArtifactUri(uri: string): { bucket: string; prefix: string } {
  const { bucket, prefix } = parseS3Url(uri);
  if (!BUCKET_NAME.test(bucket)) {
    throw invalidParameter(
      `Invalid artifact URI '${uri.slice(0, 200)}': '${bucket.slice(0, 80)}' is not a bucket name; use s3://<bucket>/<prefix>`,
    );
  }
  try {
    return { bucket, prefix: validateArtifactPath(prefix) };
  } catch (error) {
    if (error instanceof LatheError)
      throw invalidParameter(`Invalid artifact URI: the S3 prefix is unsafe. ${error.message}`);
    throw error;
  }
}

/** Counts the bytes passing through, for `put`'s return value. */
function byteCounter(): { stream: Transform; bytes: () => number } {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}

/** Artifacts stored under a prefix of an S3 bucket. */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly rootUri: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3ArtifactOptions;
  readonly #partSize: number;
  readonly #pageSize: number;

  /**
   * @param uri `s3://bucket` or `s3://bucket/prefix`; the prefix is checked like any artifact path.
   * @param options connection settings; by default the AWS_* environment, with `MLFLOW_S3_ENDPOINT_URL` first.
   * @param rootUri URI reported as `root_uri`; defaults to `uri`.
   * @throws LatheError INVALID_PARAMETER_VALUE for a malformed URI or a part size below 5 MiB
   */
  constructor(uri: string, options: S3ArtifactOptions = {}, rootUri: string = uri) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3ArtifactUri(uri));
    this.rootUri = rootUri;
    this.#options = options;
    this.#partSize = options.partSize ?? 8 * MIB;
    if (this.#partSize < 5 * MIB) {
      throw invalidParameter(`S3 part size must be at least 5 MiB, got ${this.#partSize} bytes`);
    }
    this.#pageSize = options.listPageSize ?? S3_MAX_KEYS;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1 || this.#pageSize > S3_MAX_KEYS) {
      throw invalidParameter(`S3 listing page size must be a whole number from 1 to 1000, got ${this.#pageSize}`);
    }
  }

  /** The bucket key of a validated relative path (`""` is the prefix itself). */
  keyOf(rel: string): string {
    if (this.prefix === "") return rel;
    return rel === "" ? this.prefix : `${this.prefix}/${rel}`;
  }

  /**
   * Streams `body` to the object at `path`. Up to one part it is a single PUT; beyond that a multipart upload
   * that is aborted on failure. Either way the object appears whole or not at all, as S3 publishes a key only
   * once its upload completes.
   */
  async put(path: string, body: Readable): Promise<number> {
    const rel = validateArtifactPath(path);
    if (rel === "") throw invalidParameter("Invalid path: cannot write a file over the artifact root");
    const { Upload } = await import("@aws-sdk/lib-storage");
    const client = await sharedClient(this.#options);
    const counter = byteCounter();
    // pipeline passes a failure of `body` (or its closing early, as an aborted request does) on to the upload.
    pipeline(body, counter.stream, () => {});
    const upload = new Upload({
      client,
      params: { Bucket: this.bucket, Key: this.keyOf(rel), Body: counter.stream },
      partSize: this.#partSize,
      queueSize: 4,
    });
    try {
      await upload.done();
    } catch (error) {
      // The body's own failure explains more than the upload's report of its missing bytes.
      const streamError = body.errored ?? counter.stream.errored;
      counter.stream.destroy();
      if (streamError) throw streamError;
      throw this.#failure("write", rel, error);
    }
    return counter.bytes();
  }

  async get(path: string): Promise<{ stream: Readable; size: number }> {
    const rel = validateArtifactPath(path);
    if (rel === "") throw notFound("Artifact '' not found");
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await sharedClient(this.#options);
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(rel) }));
      if (!(response.Body instanceof Readable)) throw new Error("the response has no readable body");
      return { stream: response.Body, size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isMissingObject(error)) throw notFound(`Artifact '${rel}' not found`);
      throw this.#failure("read", rel, error);
    }
  }

  async list(path = ""): Promise<ArtifactFileInfo[]> {
    const rel = validateArtifactPath(path);
    const folder = this.keyOf(rel);
    const listPrefix = folder === "" ? "" : `${folder}/`;
    const entries: ArtifactFileInfo[] = [];
    const child = (name: string): string | undefined => {
      // Keys written by other tools may hold names no client could safely write to disk; leave them out.
      try {
        if (name === "" || validateArtifactPath(name) !== name) return undefined;
      } catch {
        return undefined;
      }
      return rel === "" ? name : `${rel}/${name}`;
    };
    for await (const page of this.#pages(listPrefix, "/", rel)) {
      for (const common of page.CommonPrefixes ?? []) {
        const path = child((common.Prefix ?? "").slice(listPrefix.length, -1));
        if (path !== undefined) entries.push({ path, is_dir: true });
      }
      for (const object of page.Contents ?? []) {
        // A key equal to the listed prefix is a folder marker some tools create, not a child.
        const path = child((object.Key ?? "").slice(listPrefix.length));
        if (path !== undefined) entries.push({ path, is_dir: false, file_size: object.Size ?? 0 });
      }
    }
    // Code-point order, as the local repository lists.
    return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  }

  /** Deletes the object at `path` and every object under `path/`; RESOURCE_DOES_NOT_EXIST when there is none. */
  async delete(path: string): Promise<void> {
    const rel = validateArtifactPath(path);
    // An empty path would wipe the whole prefix (for the proxy: every experiment's artifacts).
    if (rel === "") throw invalidParameter("Invalid path: refusing to delete the artifact root");
    const key = this.keyOf(rel);
    let deleted = 0;
    if (await this.#exists(key, rel)) {
      await this.#deleteKeys([key], rel);
      deleted++;
    }
    // Each page is deleted before the next is asked for; a continuation token stays valid across deletes.
    for await (const page of this.#pages(`${key}/`, undefined, rel)) {
      const keys = (page.Contents ?? []).map((object) => object.Key).filter((k): k is string => k !== undefined);
      await this.#deleteKeys(keys, rel);
      deleted += keys.length;
    }
    if (deleted === 0) throw notFound(`Artifact '${rel}' not found`);
  }

  async #exists(key: string, rel: string): Promise<boolean> {
    const { HeadObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await sharedClient(this.#options);
    try {
      await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw this.#failure("check", rel, error);
    }
  }

  /** Listing pages of the keys under `prefix`, SDK failures reported against `rel`. */
  async *#pages(prefix: string, delimiter: string | undefined, rel: string): AsyncIterable<ListObjectsV2CommandOutput> {
    const client = await sharedClient(this.#options);
    try {
      yield* listObjectPages(client, {
        Bucket: this.bucket,
        Prefix: prefix,
        MaxKeys: this.#pageSize,
        ...(delimiter ? { Delimiter: delimiter } : {}),
      });
    } catch (error) {
      // Only the listing's own requests land here: a consumer's failure closes the generator instead.
      throw this.#failure("list", rel, error);
    }
  }

  async #deleteKeys(keys: readonly string[], rel: string): Promise<void> {
    let refused: S3DeleteError[];
    try {
      refused = await deleteObjectKeys(await sharedClient(this.#options), this.bucket, keys);
    } catch (error) {
      throw this.#failure("delete", rel, error);
    }
    const first = refused[0];
    if (first) {
      throw new LatheError(
        first.Code === "AccessDenied" ? "PERMISSION_DENIED" : "IO_ERROR",
        `Cannot delete ${refused.length} object(s) of artifact '${rel}' in ${this.#where()}, e.g. ${first.Key}: ${first.Code ?? "error"}. Check that the credentials allow s3:DeleteObject.`,
      );
    }
  }

  #where(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ""}`;
  }

  #failure(action: string, rel: string, error: unknown): LatheError {
    if (error instanceof LatheError) return error;
    if (isMissingBucket(error)) {
      return new LatheError(
        "CONFIG_INVALID",
        `Bucket "${this.bucket}" of artifact root ${this.#where()} does not exist; create it, or point the artifact root (--artifacts-destination, --default-artifact-root or the experiment's artifact location) at an existing bucket`,
        { cause: error },
      );
    }
    const code = isAccessDenied(error) ? "PERMISSION_DENIED" : "IO_ERROR";
    return new LatheError(
      code,
      `Cannot ${action} artifact '${rel}' in ${this.#where()}: ${describeS3Error(error)}. Check the S3 endpoint (MLFLOW_S3_ENDPOINT_URL or AWS_ENDPOINT_URL) and credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).`,
      { cause: error },
    );
  }
}

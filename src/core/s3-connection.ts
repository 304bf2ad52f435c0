/**
 * @module core/s3-connection
 * Reaching S3 or an S3-compatible store (MinIO, Ceph, moto): `s3://bucket/prefix` URLs, client settings
 * with their AWS_* environment fallbacks, and telling SDK errors apart. Data remotes and artifact
 * repositories share it. The AWS SDK is imported only when a client is created, so commands that never
 * touch S3 do not pay for loading it.
 */
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import { invalidParameter } from "./errors.js";

/** Where the store is and who we are; unset fields fall back to the usual AWS environment. */
export interface S3ConnectionOptions {
  /** Custom endpoint; default the first set variable of the caller's endpoint list, else AWS itself. */
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
  /** Environment to read AWS_* variables from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Settings an S3 client is built from, every environment fallback already applied. */
export interface S3ClientSettings {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** The endpoint variables the AWS CLI and SDKs read, most specific first. */
export const AWS_ENDPOINT_VARIABLES: readonly string[] = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];

/** Splits `s3://bucket/some/prefix/` into bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match?.[1]) throw invalidParameter(`"${url}" is not an S3 URL; expected s3://bucket or s3://bucket/prefix`);
  return { bucket: match[1], prefix: (match[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/**
 * Applies the environment fallbacks to `options`.
 *
 * @param endpointVariables variables naming a custom endpoint, checked in order (the first non-empty wins)
 */
export function resolveS3Settings(
  options: S3ConnectionOptions,
  endpointVariables: readonly string[] = AWS_ENDPOINT_VARIABLES,
): S3ClientSettings {
  const env = options.env ?? process.env;
  const endpoint = options.endpointUrl || endpointVariables.map((name) => env[name]).find((value) => value);
  const accessKeyId = options.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = options.sessionToken ?? env.AWS_SESSION_TOKEN;
  return {
    region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1"),
    endpoint: endpoint || undefined,
    forcePathStyle: options.forcePathStyle ?? Boolean(endpoint),
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
        : undefined,
  };
}

/** Builds an SDK client from resolved settings, loading the SDK on first use. */
export async function createS3Client(settings: S3ClientSettings): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const { endpoint, credentials } = settings;
  return new S3Client({
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    // S3-compatible stores often reject the SDK's newer default CRC checksums; send them only when required.
    ...(endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

/** S3's ceiling on keys per ListObjectsV2 page and per DeleteObjects request. */
export const S3_MAX_KEYS = 1000;

/** The listing pages of `input`, following continuation tokens; SDK errors propagate unchanged. */
export async function* listObjectPages(
  client: S3Client,
  input: ListObjectsV2CommandInput,
): AsyncIterable<ListObjectsV2CommandOutput> {
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ ...input, ...(token ? { ContinuationToken: token } : {}) }),
    );
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** A key S3 refused to delete. */
export interface S3DeleteError {
  Key?: string;
  Code?: string;
  Message?: string;
}

/**
 * Deletes `keys` in DeleteObjects batches of 1000 and returns the keys S3 refused (a key already gone is
 * not refused); a failed request throws the SDK error.
 */
export async function deleteObjectKeys(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
): Promise<S3DeleteError[]> {
  if (keys.length === 0) return [];
  const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
  const refused: S3DeleteError[] = [];
  for (let start = 0; start < keys.length; start += S3_MAX_KEYS) {
    const batch = keys.slice(start, start + S3_MAX_KEYS);
    const response = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    refused.push(...(response.Errors ?? []));
  }
  return refused;
}

/** The fields of an SDK error that tell failures apart. */
export interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** True when the object named does not exist (not when its bucket is missing). */
export function isMissingObject(error: unknown): boolean {
  const s3 = error as S3ErrorShape | undefined;
  // HeadObject answers a bare 404 (named NotFound); GetObject names the cause, and NoSuchBucket is not a missing object.
  return s3?.name === "NotFound" || s3?.name === "NoSuchKey";
}

/** True when the bucket itself does not exist. */
export function isMissingBucket(error: unknown): boolean {
  return (error as S3ErrorShape | undefined)?.name === "NoSuchBucket";
}

/** True when the store refused our credentials or their rights (401/403). */
export function isAccessDenied(error: unknown): boolean {
  const status = (error as S3ErrorShape | undefined)?.$metadata?.httpStatusCode;
  return status === 401 || status === 403;
}

/** `Name: message` of an SDK error, for the end of a LatheError message. */
export function describeS3Error(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Test helper: moto (a real S3-compatible server) on loopback for the S3 artifact tests, with the AWS_*
 * environment of this test process pointed at it, as a user would configure the client and server.
 */
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { type MotoServer, motoAvailable, startMoto } from "../data-remotes/moto.js";

export const S3_ARTIFACTS_HINT =
  "S3 artifact tests skipped: `python3 -m moto.server` is not available. Enable them with `pip install 'moto[server]'`.";

export const s3Available = motoAvailable();

export interface S3TestEnv {
  readonly moto: MotoServer;
  /** A plain SDK client on moto, to look at the bucket behind Lathe's back. */
  readonly client: S3Client;
  /** The environment a `lathe server` process needs to reach moto. */
  readonly env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** Every key under `prefix`, sorted. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1" };

/** Starts moto and sets AWS_* and MLFLOW_S3_ENDPOINT_URL in `process.env` (this test file's own process). */
export async function startS3TestEnv(): Promise<S3TestEnv> {
  const moto = await startMoto();
  const env = { ...CREDENTIALS, MLFLOW_S3_ENDPOINT_URL: moto.endpoint };
  Object.assign(process.env, env);
  const client = new S3Client({
    region: "us-east-1",
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  return {
    moto,
    client,
    env,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async keys(bucket, prefix = "") {
      const found: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const object of page.Contents ?? []) if (object.Key) found.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found.sort();
    },
    async stop() {
      client.destroy();
      await moto.stop();
    },
  };
}

import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hashFromObjectPath,
  LocalRemote,
  openRemote,
  parseS3Url,
  remoteObjectPath,
  remoteOptionsFromConfig,
  S3Remote,
} from "../../src/data/remotes/index.js";

describe("openRemote", () => {
  it("chooses the backend by scheme", () => {
    expect(openRemote("/srv/dvc")).toBeInstanceOf(LocalRemote);
    expect(openRemote("file:///srv/dvc")).toMatchObject({ kind: "local", root: "/srv/dvc" });
    expect(openRemote("../store", { baseDir: "/repo/.dvc" })).toMatchObject({ root: resolve("/repo/store") });
    const s3 = openRemote("s3://bucket/a/b/");
    expect(s3).toBeInstanceOf(S3Remote);
    expect((s3 as S3Remote).objectKey("d3b07384d113edec49eaa6238ad5ff00")).toBe(
      "a/b/files/md5/d3/b07384d113edec49eaa6238ad5ff00",
    );
  });

  it("rejects unsupported schemes, empty URLs and tiny part sizes", () => {
    expect(() => openRemote("gs://bucket/x", { name: "gcs" })).toThrow(/'gcs' \(gs:\/\/bucket\/x\).*"gs"/);
    expect(() => openRemote(" ")).toThrow(/empty/);
    expect(() => openRemote("s3://b", { partSize: 1024 })).toThrow(/at least 5 MiB/);
    expect(() => parseS3Url("s3:///key")).toThrow(/not an S3 URL/);
  });

  it("parses bucket and prefix", () => {
    expect(parseS3Url("s3://bucket")).toEqual({ bucket: "bucket", prefix: "" });
    expect(parseS3Url("s3://bucket/dvc/store/")).toEqual({ bucket: "bucket", prefix: "dvc/store" });
  });

  it("maps DVC remote config keys", () => {
    expect(
      remoteOptionsFromConfig({
        url: "s3://b/p",
        endpointurl: "http://minio:9000",
        region: "eu-west-1",
        access_key_id: "AK",
        secret_access_key: "SK",
        jobs: "8",
        profile: "ignored",
      }),
    ).toEqual({
      endpointUrl: "http://minio:9000",
      region: "eu-west-1",
      accessKeyId: "AK",
      secretAccessKey: "SK",
      jobs: 8,
    });
    expect(() => remoteOptionsFromConfig({ jobs: "-1" })).toThrow(/positive integer/);
  });
});

describe("object paths", () => {
  it("follows the DVC 3 layout and round-trips", () => {
    expect(remoteObjectPath("5fb6b29836c388e093ca0715c872fe2a.dir")).toBe(
      "files/md5/5f/b6b29836c388e093ca0715c872fe2a.dir",
    );
    expect(hashFromObjectPath("5f/b6b29836c388e093ca0715c872fe2a.dir")).toBe("5fb6b29836c388e093ca0715c872fe2a.dir");
    expect(hashFromObjectPath(join("5f", ".b6b2.tmp"))).toBeUndefined();
  });
});

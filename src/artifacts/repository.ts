/**
 * @module artifacts/repository
 * The storage contract behind the MLflow artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`) and
 * `artifacts/list`. Paths are relative to the repository root and pass `validateArtifactPath` before any I/O.
 */
import type { Readable } from "node:stream";

/** One entry of a listing, in MLflow's `FileInfo` wire shape. */
export interface ArtifactFileInfo {
  /** Relative to the repository root, POSIX separators (e.g. `model/MLmodel`). */
  path: string;
  is_dir: boolean;
  /** Size in bytes; present for files only. */
  file_size?: number;
}

/** A store of artifact files under one root. */
export interface ArtifactRepository {
  /** The URI this repository was opened from (reported as `root_uri` by `artifacts/list`). */
  readonly rootUri: string;
  /** Streams body into `<root>/<path>` atomically (temp file + rename); creates folders. Returns bytes written. */
  put(path: string, body: Readable): Promise<number>;
  /** Opens `<root>/<path>` for reading; RESOURCE_DOES_NOT_EXIST if absent or a directory. */
  get(path: string): Promise<{ stream: Readable; size: number }>;
  /**
   * Lists the direct children of `<root>/<path>` sorted by name; `[]` when the folder does not exist or `<path>`
   * is a file. Each child's `path` is relative to the repository root; files carry `file_size`.
   */
  list(path?: string): Promise<ArtifactFileInfo[]>;
  /** Deletes `<root>/<path>` (file or folder, recursively); RESOURCE_DOES_NOT_EXIST if absent. */
  delete(path: string): Promise<void>;
}

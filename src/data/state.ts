/**
 * @module data/state
 * Hash reuse: a SQLite table in `.dvc/tmp/` maps a file path to the (inode, mtime, size) it had
 * when hashed, so an unchanged file is never hashed twice (reference/dvc.md §2.7). WAL mode keeps
 * the table consistent if the process is killed; a stale row only costs a re-hash. The table only
 * remembers work already done, so commands never wait for the disk on its account (synchronous =
 * OFF: after a multi-gigabyte pull, a flush would wait for all of that data too); if a power loss
 * leaves the file damaged, it is dropped and rebuilt, costing one re-hash of the workspace.
 */
import { type BigIntStats, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type HashAlgorithm, hashFile } from "./hash.js";

const FLUSH_EVERY = 2000;

interface Row {
  inode: string;
  mtime: string;
  size: number;
  md5: string;
}

function openOnce(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    // Reads the schema, so a damaged header or schema page shows here rather than mid-command.
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens the state database, replacing it when SQLite finds it damaged (it holds nothing that cannot be recomputed). */
function openStateDatabase(file: string): Database.Database {
  try {
    return openOnce(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "SQLITE_CORRUPT" && code !== "SQLITE_NOTADB") throw error;
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    return openOnce(file);
  }
}

/** The hash-reuse table of one repository. */
export class HashState {
  private readonly db: Database.Database;
  private readonly lookup: Database.Statement<[string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, number, string]>;
  private readonly range: Database.Statement<[string, string], Row & { path: string }>;
  /** Rows read ahead for a directory about to be walked (see {@link prefetch}). */
  private readonly prefetched = new Map<string, Row>();
  // One transaction per file would spend most of the time committing.
  private readonly pending = new Map<string, Row>();
  /** Files actually read and hashed by this instance (for tests and progress). */
  hashedCount = 0;

  /** Opens (creating) `<tmpDir>/lathe-state.db`. */
  constructor(tmpDir: string) {
    mkdirSync(tmpDir, { recursive: true });
    this.db = openStateDatabase(join(tmpDir, "lathe-state.db"));
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, inode TEXT NOT NULL, mtime TEXT NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL)",
    );
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS dir_manifests (key TEXT PRIMARY KEY, signature TEXT NOT NULL, manifest TEXT NOT NULL, md5 TEXT NOT NULL)",
    );
    this.db.exec("CREATE TABLE IF NOT EXISTS complete (md5 TEXT PRIMARY KEY, token TEXT NOT NULL)");
    this.lookup = this.db.prepare("SELECT inode, mtime, size, md5 FROM hashes WHERE path = ?");
    this.range = this.db.prepare("SELECT path, inode, mtime, size, md5 FROM hashes WHERE path >= ? AND path < ?");
    this.upsert = this.db.prepare(
      "INSERT OR REPLACE INTO hashes (path, inode, mtime, size, md5) VALUES (?, ?, ?, ?, ?)",
    );
  }

  /** The stored hash of `path` when its stat still matches, without reading the file. */
  storedHash(path: string, before: BigIntStats): { md5: string; size: number } | undefined {
    const inode = before.ino.toString();
    const mtime = before.mtimeNs.toString();
    const size = Number(before.size);
    const row = this.pending.get(path) ?? this.prefetched.get(path) ?? this.lookup.get(path);
    if (row && row.inode === inode && row.mtime === mtime && row.size === size) return { md5: row.md5, size };
    return undefined;
  }

  /**
   * Reads the stored rows of every file under `folder` in one query, so walking a large directory
   * costs one lookup instead of one per file. Rows stay valid: each is still checked against the
   * file's stat before use.
   */
  prefetch(folder: string): void {
    for (const row of this.range.iterate(`${folder}/`, `${folder}0`)) this.prefetched.set(row.path, row);
  }

  /** The hash and size of `path` (absolute; symlinks followed), reusing a stored hash when unchanged. */
  async hash(path: string, algorithm: HashAlgorithm = "md5"): Promise<{ md5: string; size: number }> {
    // Legacy hashes live under their own key so the two algorithms never mix.
    const key = algorithm === "md5" ? path : `md5-dos2unix:${path}`;
    // A synchronous stat: thousands of them finish sooner than the same through the thread pool.
    const before = statSync(path, { bigint: true });
    const known = this.storedHash(key, before);
    if (known) return known;
    const result = await hashFile(path, algorithm);
    this.hashedCount++;
    await this.remember(path, before, result, key);
    return result;
  }

  /**
   * Records a hash computed from `path` (directly or from a copy) when the file still has the
   * stat it had before reading; a file written during hashing is left for the next run to hash.
   */
  async remember(path: string, before: BigIntStats, result: { md5: string; size: number }, key = path): Promise<void> {
    const after = statSync(path, { bigint: true });
    if (after.ino !== before.ino || after.mtimeNs !== before.mtimeNs || after.size !== before.size) return;
    if (Number(after.size) !== result.size) return;
    this.record(key, after.ino.toString(), after.mtimeNs.toString(), result);
  }

  /** Records that `path` now holds content with this hash (after linking it from the cache). */
  async recordKnown(path: string, result: { md5: string; size: number }): Promise<void> {
    const info = statSync(path, { bigint: true });
    if (Number(info.size) === result.size) this.record(path, info.ino.toString(), info.mtimeNs.toString(), result);
  }

  private record(path: string, inode: string, mtime: string, result: { md5: string; size: number }): void {
    this.pending.set(path, { inode, mtime, size: result.size, md5: result.md5 });
    if (this.pending.size >= FLUSH_EVERY) this.flush();
  }

  /** Writes remembered hashes in one transaction (a kill before this only costs re-hashing them). */
  flush(): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [path, row] of rows) this.upsert.run(path, row.inode, row.mtime, row.size, row.md5);
    })();
  }

  /**
   * The manifest text a directory had when every one of its files had the stats summarised by
   * `signature` (a digest of each file's relpath, inode, mtime and size); undefined otherwise.
   * This is the per-file rule applied to a whole directory at once: one lookup instead of one per file.
   */
  storedManifest(key: string, signature: string): { text: string; md5: string } | undefined {
    const row = this.db.prepare("SELECT signature, manifest, md5 FROM dir_manifests WHERE key = ?").get(key) as
      | { signature: string; manifest: string; md5: string }
      | undefined;
    return row?.signature === signature ? { text: row.manifest, md5: row.md5 } : undefined;
  }

  /** Records the manifest (and its `<md5>.dir` name) a directory produced for the file stats summarised by `signature`. */
  rememberManifest(key: string, signature: string, manifest: string, md5: string): void {
    this.db
      .prepare("INSERT OR REPLACE INTO dir_manifests (key, signature, manifest, md5) VALUES (?, ?, ?, ?)")
      .run(key, signature, manifest, md5);
  }

  /**
   * True when every object of the directory `md5` was last seen in the cache while the cache's
   * folders had the state summarised by `token` (their modification times: adding or deleting an
   * object changes its folder's time, so an equal token means none came or went).
   */
  knownComplete(md5: string, token: string): boolean {
    const row = this.db.prepare("SELECT token FROM complete WHERE md5 = ?").get(md5) as { token: string } | undefined;
    return row?.token === token;
  }

  /** Records that every object of directory `md5` was in the cache at `token`. */
  rememberComplete(md5: string, token: string): void {
    this.db.prepare("INSERT OR REPLACE INTO complete (md5, token) VALUES (?, ?)").run(md5, token);
  }

  /** Flushes and closes the database. */
  close(): void {
    this.flush();
    this.db.close();
  }
}

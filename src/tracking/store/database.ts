/**
 * @module tracking/store/database
 * Opens the backend store named by a `--backend-store-uri` (MLflow's forms: `sqlite:///relative.db`,
 * `sqlite:////absolute.db`, `sqlite://` for in-memory; `postgresql://…`) as a Kysely instance. The
 * few SQL differences between the dialects live here and in `dialect-sql.ts`, nowhere else.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
import { LatheError } from "../../core/errors.js";
import type { TrackingDatabase } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

export interface OpenedDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  /** A human-readable description of where the data lives, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

/** Parses a sqlite URI into a file path (or ":memory:"), relative paths against `cwd`. */
export function sqlitePathFromUri(uri: string, cwd: string = process.cwd()): string {
  const rest = uri.slice("sqlite://".length);
  if (rest === "" || rest === "/" || rest === "/:memory:") return ":memory:";
  if (!rest.startsWith("/")) {
    throw new LatheError(
      "CONFIG_INVALID",
      `Backend store URI '${uri}' is not a valid SQLite URI. Use sqlite:///relative/path.db or sqlite:////absolute/path.db.`,
    );
  }
  // sqlite:///x.db → "x.db" (relative), sqlite:////abs/x.db → "/abs/x.db".
  return resolve(cwd, rest.slice(1));
}

export async function openDatabase<DB = TrackingDatabase>(
  uri: string,
  cwd: string = process.cwd(),
): Promise<OpenedDatabase<DB>> {
  if (uri.startsWith("sqlite:")) {
    return openSqlite<DB>(sqlitePathFromUri(uri, cwd));
  }
  if (uri.startsWith("postgresql:") || uri.startsWith("postgres:") || uri.startsWith("postgresql+")) {
    throw new LatheError(
      "NOT_IMPLEMENTED",
      `PostgreSQL backend stores are not available in this version. Use --backend-store-uri sqlite:///mlruns.db.`,
    );
  }
  throw new LatheError(
    "CONFIG_INVALID",
    `Unsupported backend store URI '${uri}'. Use sqlite:///path/to/mlruns.db (the default is sqlite:///mlruns.db).`,
  );
}

async function openSqlite<DB>(path: string): Promise<OpenedDatabase<DB>> {
  const { default: Database } = await import("better-sqlite3");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let sqlite: import("better-sqlite3").Database;
  try {
    sqlite = new Database(path);
  } catch (error) {
    throw new LatheError(
      "IO_ERROR",
      `Cannot open SQLite database ${path}: ${(error as Error).message}. Check the path and its permissions.`,
      { cause: error },
    );
  }
  // WAL lets readers run beside the single writer; NORMAL sync keeps every committed transaction
  // across a process crash (only an OS crash can lose the last ones). The busy timeout lets several
  // server processes share the file without "database is locked" errors.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  // MLflow's LIKE is case-sensitive (ILIKE is the insensitive one); SQLite's default LIKE is not.
  sqlite.pragma("case_sensitive_like = ON");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: "sqlite",
    location: path,
    close: () => db.destroy(),
  };
}

/** Statements kept prepared; the store issues a few dozen distinct SQL texts, so this never churns. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely prepares every query it runs; preparing costs more than running a small statement, so the
 * connection hands back an already prepared statement for SQL text it has seen. Safe because Kysely
 * runs one query at a time on a SQLite connection.
 */
function withStatementCache(sqlite: import("better-sqlite3").Database): SqliteDatabase {
  const cache = new Map<string, import("better-sqlite3").Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = sqlite.prepare(text);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * @module tracking/store/database
 * Opens the backend store named by a `--backend-store-uri` (MLflow's forms: `sqlite:///relative.db`,
 * `sqlite:////absolute.db`, `sqlite://` for in-memory; `postgresql://…`) as a Kysely instance. The
 * few SQL differences between the dialects live here, in `transaction.ts` and in the migrations'
 * column types, nowhere else.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  Kysely,
  type OrderByModifiers,
  PostgresDialect,
  type RawBuilder,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from "kysely";
import { LatheError } from "../../core/errors.js";
import { withPreparedStatements } from "./prepared.js";
import type { TrackingDatabase } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

export interface OpenedDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  /** A human-readable description of where the data lives, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * A string column type. On PostgreSQL it compares byte-wise (collation "C") whatever the database's
 * locale, so ordering, `<`/`>` and LIKE on names, params and tags match SQLite's binary comparison.
 */
export function stringColumn(dialect: DialectName, type: "text" | `varchar(${number})`): RawBuilder<unknown> {
  return sql.raw(dialect === "postgres" ? `${type} collate "C"` : type);
}

/**
 * An id or version number column. SQLite's INTEGER holds 64 bits; PostgreSQL's `integer` only 32,
 * where a large id in a request would be an out-of-range error instead of "not found".
 */
export function wholeNumberColumn(dialect: DialectName): "integer" | "bigint" {
  return dialect === "postgres" ? "bigint" : "integer";
}

/**
 * An ORDER BY direction that places NULL where SQLite does (before every value ascending, after
 * every value descending); PostgreSQL's default is the reverse.
 */
export function nullsAsOnSqlite(dialect: DialectName, direction: "asc" | "desc"): OrderByModifiers {
  if (dialect !== "postgres") return direction;
  return direction === "asc" ? (item) => item.asc().nullsFirst() : (item) => item.desc().nullsLast();
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
  if (isPostgresUri(uri)) {
    return openPostgres<DB>(uri);
  }
  throw new LatheError(
    "CONFIG_INVALID",
    `Unsupported backend store URI '${uri}'. Use sqlite:///path/to/mlruns.db (the default is sqlite:///mlruns.db) or postgresql://user@host:5432/database.`,
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

const POSTGRES_SCHEMES = ["postgresql:", "postgres:", "postgresql+"];

export function isPostgresUri(uri: string): boolean {
  return POSTGRES_SCHEMES.some((scheme) => uri.startsWith(scheme));
}

/**
 * The connection string the `pg` driver takes: MLflow users write SQLAlchemy's
 * `postgresql+psycopg2://…`, whose driver part means nothing here and is dropped.
 */
export function postgresConnectionString(uri: string): string {
  return uri.replace(/^postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?:\/\//, "postgresql://");
}

interface PostgresTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

function describeTarget(connectionString: string): PostgresTarget {
  try {
    const url = new URL(connectionString);
    return {
      host: decodeURIComponent(url.hostname) || "localhost",
      port: url.port || "5432",
      database: decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres",
      user: decodeURIComponent(url.username) || "postgres",
    };
  } catch {
    throw new LatheError(
      "CONFIG_INVALID",
      "Backend store URI is not a valid PostgreSQL URI. Use postgresql://user:password@host:5432/database.",
    );
  }
}

/** What went wrong reaching PostgreSQL, and what to do about it. */
function connectionError(target: PostgresTarget, error: unknown): LatheError {
  const code = (error as { code?: string }).code;
  const where = `PostgreSQL at ${target.host}:${target.port}`;
  if (code === "3D000") {
    return new LatheError(
      "CONFIG_INVALID",
      `Database '${target.database}' does not exist on ${where}. Create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}, or CREATE DATABASE "${target.database}") and start again.`,
      { cause: error },
    );
  }
  if (code === "28P01" || code === "28000") {
    return new LatheError(
      "CONFIG_INVALID",
      `${where} refused user '${target.user}' for database '${target.database}': ${(error as Error).message}. Check the user and password in --backend-store-uri.`,
      { cause: error },
    );
  }
  return new LatheError(
    "IO_ERROR",
    `Cannot connect to ${where} (database '${target.database}'): ${(error as Error).message || code}. Check that the server is running and reachable, and the host and port in --backend-store-uri.`,
    { cause: error },
  );
}

/** How long a connection attempt may take before the store reports the server unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

async function openPostgres<DB>(uri: string): Promise<OpenedDatabase<DB>> {
  const connectionString = postgresConnectionString(uri);
  const target = describeTarget(connectionString);
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: {
      // bigint columns hold milliseconds and steps, which fit a JavaScript number; the driver's
      // default is a string. Everything else keeps the driver's parsing.
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === pg.types.builtins.INT8
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectionError(target, error);
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
  return {
    db,
    dialect: "postgres",
    location: `postgresql://${target.host}:${target.port}/${target.database}`,
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

/**
 * @module server/start
 * Starts `lathe server`: opens the store (migrating it once, in the primary process), then serves
 * on one process or, with --workers N, on N cluster workers sharing the port and the database.
 */
import cluster from "node:cluster";
import type { FastifyInstance } from "fastify";
import { parseS3ArtifactUri, resolveArtifactsDestination } from "../artifacts/index.js";
import { openAuthStore } from "../auth/bootstrap.js";
import type { SqlAuthStore } from "../auth/sql-store.js";
import { LatheError } from "../core/errors.js";
import type { Logger } from "../core/logging.js";
import { SqlRegistryStore } from "../registry/store/sql-store.js";
import { openDatabase } from "../tracking/store/database.js";
import { SqlTrackingStore } from "../tracking/store/sql-store.js";
import { buildApp, handlersSettled } from "./app.js";
import { effectiveArtifactRoot, type ServerSettings } from "./settings.js";

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

interface Stores {
  store: SqlTrackingStore;
  /** On the tracking store's database, which the tracking store owns and closes. */
  registry: SqlRegistryStore;
  /** Users, permissions, tokens and the audit log, with --auth only. */
  auth?: SqlAuthStore;
}

/** The artifact root of new experiments; an `s3://` one is checked now rather than at the first upload. */
function checkedArtifactRoot(settings: ServerSettings): string {
  const root = effectiveArtifactRoot(settings);
  if (!/^s3:/i.test(root)) return root;
  try {
    parseS3ArtifactUri(root);
  } catch (error) {
    if (!(error instanceof LatheError)) throw error;
    throw new LatheError(
      "CONFIG_INVALID",
      `--default-artifact-root '${root.slice(0, 200)}' is not usable: ${error.message}; give s3://<bucket>/<prefix>`,
    );
  }
  return root;
}

/** Opens the backend store: migrates it (tracking and registry tables) and builds both stores on it. */
async function openStores(settings: ServerSettings): Promise<Stores> {
  const defaultArtifactRoot = checkedArtifactRoot(settings);
  const opened = await openDatabase(settings.backendStoreUri);
  const store = await SqlTrackingStore.open(opened, { defaultArtifactRoot });
  let auth: SqlAuthStore | undefined;
  if (settings.auth) {
    try {
      auth = await openAuthStore(opened, {
        username: settings.authAdminUsername,
        password: settings.authAdminPassword,
      });
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return { store, registry: new SqlRegistryStore(opened), auth };
}

/** Serves in this process; resolves once listening. */
export async function startServer(settings: ServerSettings, logger?: Logger): Promise<RunningServer> {
  // Checked before the store opens, so a bad destination leaves nothing open behind it.
  const artifactsDestination = settings.serveArtifacts
    ? resolveArtifactsDestination(settings.artifactsDestination)
    : undefined;
  const { store, registry, auth } = await openStores(settings);
  const app = await buildApp({
    store,
    registry,
    artifactsDestination,
    maxRequestBytes: settings.maxRequestBytes,
    project: settings.project,
    auth: auth && { store: auth, defaultPermission: settings.authDefaultPermission ?? "READ" },
    corsAllowedOrigins: settings.corsAllowedOrigins,
    logger,
  });
  let address: string;
  try {
    address = await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    url: address,
    app,
    async close() {
      // Fastify closes the keep-alive connections that are idle when close() starts; one whose last
      // response (a streamed download) is still flushing turns idle a moment later and would otherwise
      // hold close() for the whole keep-alive timeout (72 s). Keep closing idle ones until done.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      await handlersSettled(app);
      await store.close();
    },
  };
}

/**
 * The `lathe server` entry: with one worker, serves here; with more, the primary migrates the
 * database, forks the workers and restarts any that die.
 */
export async function runServer(settings: ServerSettings, logger: Logger): Promise<void> {
  if (settings.workers > 1 && cluster.isPrimary) {
    const { store } = await openStores(settings);
    await store.close();
    for (let i = 0; i < settings.workers; i++) cluster.fork();
    let stopping = false;
    cluster.on("exit", (worker, code) => {
      if (stopping) return;
      logger.warn({ pid: worker.process.pid, code }, "worker exited; starting another");
      cluster.fork();
    });
    const stop = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    logger.info(
      `Lathe tracking server starting ${settings.workers} workers on http://${settings.host}:${settings.port}`,
    );
    return;
  }
  const server = await startServer(settings, logger);
  const who = cluster.isPrimary ? "Lathe tracking server" : `Lathe tracking server worker ${process.pid}`;
  process.stdout.write(`${who} listening on ${server.url} (store ${settings.backendStoreUri})\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/**
 * @module serving/start
 * Starts `lathe serve`: fetches and loads the model, builds the app, listens, and — for a URI that
 * can move (`models:/name@alias`, `models:/name/Stage`) — polls the registry and reloads on SIGHUP,
 * swapping in a new version without failing a request. SIGTERM stops accepting, lets the requests in
 * flight finish, flushes the prediction log and exits 0. With --workers N, N cluster workers share the port.
 */
import cluster from "node:cluster";
import type { FastifyInstance } from "fastify";
import type { LatheClient } from "../client/client.js";
import type { Logger } from "../core/logging.js";
import { buildServingApp } from "./app.js";
import { clusterMetricsRenderer, serveClusterMetrics } from "./cluster-metrics.js";
import { ServingMetrics } from "./metrics.js";
import { ServedModel } from "./model.js";
import { ModelHolder } from "./model-holder.js";
import { fetchModel, isMovingUri, resolveVersion } from "./model-source.js";
import { PredictionLog } from "./prediction-log.js";

export interface ServeSettings {
  /** What to serve: a path, runs:/ or models:/ URI. */
  readonly source: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  /** Tracking server for runs:/ and models:/ sources. */
  readonly trackingUri: string;
  /** Micro-batching window in ms; 0 turns batching off. */
  readonly batchWindowMs: number;
  readonly maxBatchSize: number;
  /** Prediction-log folder; undefined turns the log off. */
  readonly logDir: string | undefined;
  readonly logMaxFileBytes: number;
  readonly logBufferRecords: number;
  /** Registry poll period for moving URIs, in seconds; 0 polls only on SIGHUP. */
  readonly pollSeconds: number;
  /** Name to serve a local or run model under (default: its folder's name). */
  readonly name: string | undefined;
  readonly maxRequestBytes: number;
}

export const DEFAULT_SERVE_SETTINGS = {
  host: "127.0.0.1",
  port: 8080,
  workers: 1,
  batchWindowMs: 1,
  maxBatchSize: 256,
  logDir: "./predictions",
  logMaxFileBytes: 64 * 1024 * 1024,
  logBufferRecords: 10_000,
  pollSeconds: 10,
  maxRequestBytes: 16 * 1024 * 1024,
} as const;

/** What a cluster worker tells the primary once it is listening. */
const READY_MESSAGE = "lathe-serve-ready";

export interface RunningModelServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly holder: ModelHolder;
  readonly metrics: ServingMetrics;
  readonly log: PredictionLog | undefined;
  /** Asks the registry which version the URI names now; swaps it in if it changed. True when swapped. */
  reload(): Promise<boolean>;
  /** Stops accepting, drains requests in flight, releases the model and flushes the log. */
  close(): Promise<void>;
}

async function loadModel(
  settings: ServeSettings,
  client: LatheClient | undefined,
  metrics: ServingMetrics,
): Promise<ServedModel> {
  const started = performance.now();
  const fetched = await fetchModel(settings.source, client);
  try {
    const name = settings.name ?? fetched.name;
    const model = await ServedModel.load(fetched.path, {
      name,
      version: fetched.version,
      batching: {
        windowMs: settings.batchWindowMs,
        maxBatchRows: settings.maxBatchSize,
        onBatch: (rows) => metrics.batchSize.observe({ model: name }, rows),
      },
    });
    metrics.modelLoadSeconds.observe(
      { model: name, version: model.versionLabel },
      (performance.now() - started) / 1000,
    );
    return model;
  } finally {
    // The runtime has read the file into its session; the downloaded copy is no longer needed.
    await fetched.cleanup();
  }
}

/** Serves in this process; resolves once listening. */
export async function startModelServer(settings: ServeSettings, logger?: Logger): Promise<RunningModelServer> {
  const needsClient = settings.source.startsWith("models:/") || settings.source.startsWith("runs:/");
  let client: LatheClient | undefined;
  if (needsClient) {
    const { LatheClient } = await import("../client/client.js");
    client = new LatheClient({ trackingUri: settings.trackingUri });
  }
  const metrics = new ServingMetrics();
  const model = await loadModel(settings, client, metrics);
  metrics.setModel(model.name, model.versionLabel);
  const holder = new ModelHolder(model);
  const log =
    settings.logDir === undefined
      ? undefined
      : new PredictionLog({
          dir: settings.logDir,
          maxFileBytes: settings.logMaxFileBytes,
          maxBufferedRecords: settings.logBufferRecords,
          onDrop: (count) => metrics.logDropped.inc(count),
          onWrite: (count) => metrics.logWritten.inc(count),
        });
  const renderMetrics = cluster.isWorker ? clusterMetricsRenderer(metrics.registry) : undefined;
  const app = await buildServingApp({
    holder,
    metrics,
    log,
    maxRequestBytes: settings.maxRequestBytes,
    logger,
    renderMetrics,
  });

  let reloading: Promise<boolean> | undefined;
  const reloadOnce = async (): Promise<boolean> => {
    if (!client || !isMovingUri(settings.source)) return false;
    const version = await resolveVersion(settings.source, client);
    if (version === undefined || version === holder.current?.version) return false;
    const next = await loadModel(settings, client, metrics);
    if (next.version === holder.current?.version) {
      await next.close();
      return false;
    }
    holder.swap(next);
    metrics.setModel(next.name, next.versionLabel);
    logger?.info({ model: next.name, version: next.version }, "now serving a new model version");
    return true;
  };
  const reload = (): Promise<boolean> => {
    reloading ??= reloadOnce().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };
  const poll =
    client && isMovingUri(settings.source) && settings.pollSeconds > 0
      ? setInterval(() => {
          reload().catch((error: unknown) => logger?.warn({ err: error }, "registry poll failed; still serving"));
        }, settings.pollSeconds * 1000)
      : undefined;
  poll?.unref();

  let address: string;
  try {
    address = await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    if (poll) clearInterval(poll);
    await holder.close();
    await log?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: address,
    app,
    holder,
    metrics,
    log,
    reload,
    close() {
      closing ??= (async () => {
        if (poll) clearInterval(poll);
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        await reloading?.catch(() => undefined);
        await holder.close();
        await log?.close();
      })();
      return closing;
    },
  };
}

/**
 * The `lathe serve` entry: with one worker, serves here; with more, the primary forks the workers
 * (each loads the model and shares the port) and restarts any that die.
 */
export async function runServe(settings: ServeSettings, logger: Logger): Promise<void> {
  if (settings.workers > 1 && cluster.isPrimary) {
    serveClusterMetrics();
    for (let index = 0; index < settings.workers; index++) cluster.fork();
    let stopping = false;
    let anyReady = false;
    cluster.on("message", (_worker, message) => {
      if (message === READY_MESSAGE) anyReady = true;
    });
    cluster.on("exit", (worker, code) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
        return;
      }
      if (!anyReady) {
        // A worker that fails before any has started would fail again: the model itself will not load.
        logger.error({ pid: worker.process.pid, code }, "serving worker failed to start; stopping");
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.kill("SIGTERM");
        process.exitCode = code || 1;
        return;
      }
      logger.warn({ pid: worker.process.pid, code }, "serving worker exited; starting another");
      cluster.fork();
    });
    const stop = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
      setTimeout(() => process.exit(0), 30_000).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    process.on("SIGHUP", () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGHUP");
    });
    const where = settings.port === 0 ? `${settings.host}, on a free port` : `http://${settings.host}:${settings.port}`;
    logger.info(`Lathe model server starting ${settings.workers} workers on ${where}`);
    return;
  }
  const server = await startModelServer(settings, logger);
  if (!cluster.isPrimary) process.send?.(READY_MESSAGE);
  const model = server.holder.current;
  const who = cluster.isPrimary ? "Lathe model server" : `Lathe model server worker ${process.pid}`;
  process.stdout.write(
    `${who} serving ${model?.name}${model?.version ? ` version ${model.version}` : ""} on ${server.url}\n`,
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  process.on("SIGHUP", () => {
    server.reload().catch((error: unknown) => logger.warn({ err: error }, "reload failed; still serving"));
  });
}

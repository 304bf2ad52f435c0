/**
 * @module serving/cluster-metrics
 * /metrics with --workers N. Each worker counts its own requests, but a scrape lands on any one of
 * them, so the answering worker asks the primary, which gathers every worker's registry through
 * prom-client's AggregatorRegistry (counters and histograms summed, gauges per their aggregator)
 * and sends the text back. Prometheus then sees one consistent server.
 */
import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const REQUEST = "lathe-serve:metrics";
const REPLY = "lathe-serve:metrics-reply";

interface MetricsMessage {
  readonly type: string;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

function isMetricsMessage(value: unknown): value is MetricsMessage {
  return typeof value === "object" && value !== null && typeof (value as MetricsMessage).type === "string";
}

/** In the primary: answers workers' requests for the whole cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMetricsMessage(message) || message.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: REPLY, id: message.id, text }),
      (error: unknown) => worker.send({ type: REPLY, id: message.id, error: String(error) }),
    );
  });
}

/** In a worker: exposes `registry` to the primary and returns a renderer that asks for the cluster's metrics. */
export function clusterMetricsRenderer(registry: Registry): () => Promise<{ contentType: string; text: string }> {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on("message", (message: unknown) => {
    if (!isMetricsMessage(message) || message.type !== REPLY) return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.text !== undefined) pending.resolve(message.text);
    else pending.reject(new Error(`collecting the workers' metrics failed: ${message.error}`));
  });
  return async () => {
    const id = next++;
    const text = await new Promise<string>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      process.send?.({ type: REQUEST, id });
    });
    return { contentType: registry.contentType, text };
  };
}

/**
 * @module serving/metrics
 * The model server's Prometheus metrics (reference/monitoring.md §6): requests by route and status,
 * latency, requests in flight, predictions by class, batch sizes, a model info gauge, prediction-log
 * drops, prom-client's process metrics (CPU, memory, event-loop lag), and the monitoring gauges that
 * `lathe monitor --server` sets through `POST /monitoring` (drift p-values, drift verdict, accuracy). Each server has its own
 * registry, so several servers in one process (tests) do not mix their counts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from "prom-client";

/** Latency buckets in seconds: 0.5 ms to 10 s, dense where a tabular model answers. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
/** Classes counted per model; past this a label would make the metric's cardinality unbounded. */
const MAX_CLASSES = 100;

export interface RequestLabels {
  readonly model: string;
  readonly version: string;
  readonly endpoint: string;
  readonly protocol: string;
  readonly code: string;
}

/** The latest monitoring window's results, as `POST /monitoring` receives them. */
export interface MonitoringGauges {
  /** Feature → KS/χ² p-value of the window. */
  readonly featurePValues: Readonly<Record<string, number>>;
  readonly datasetDrift: boolean;
  readonly shareOfDriftedColumns?: number;
  readonly predictionDriftPValue?: number;
  readonly accuracy?: number;
  readonly f1?: number;
  readonly mae?: number;
  readonly rmse?: number;
  readonly windowRows?: number;
}

type DurationLabels = { readonly model: string; readonly version: string; readonly endpoint: string };

/** One label set's latency counts: per bucket (not cumulative), then sum and count. */
interface DurationSeries {
  readonly labels: DurationLabels;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The request latency histogram, counted in plain arrays on the hot path (prom-client's `observe`
 * validates and hashes the label set on every call, a few percent of a busy server's time) and
 * handed to the registry on scrape in prom-client's own export shape, so the text format and
 * cluster aggregation (summed, like any histogram) are prom-client's.
 */
class RequestDurationHistogram {
  readonly name = "lathe_serve_request_duration_seconds";
  readonly help = "Time from receiving a request to sending its response.";
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #series = new Map<string, DurationSeries>();

  /** The series of a label set, created empty on first use. */
  series(labels: DurationLabels): DurationSeries {
    const key = `${labels.model}\u0000${labels.version}\u0000${labels.endpoint}`;
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, buckets: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  static observe(series: DurationSeries, seconds: number): void {
    series.sum += seconds;
    series.count++;
    for (let index = 0; index < LATENCY_BUCKETS.length; index++) {
      if (seconds <= (LATENCY_BUCKETS[index] as number)) {
        (series.buckets[index] as number)++;
        return;
      }
    }
  }

  reset(): void {
    this.#series.clear();
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, buckets, sum, count } of this.#series.values()) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, index) => {
        cumulative += buckets[index] as number;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class ServingMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"model" | "version" | "endpoint" | "protocol" | "code">;
  readonly duration = new RequestDurationHistogram();
  readonly inFlight: Gauge<"model" | "version">;
  readonly predictions: Counter<"model" | "version" | "predicted_class">;
  readonly batchSize: Histogram<"model">;
  readonly modelInfo: Gauge<"model" | "version" | "runtime">;
  readonly modelLoadSeconds: Histogram<"model" | "version">;
  readonly logDropped: Counter;
  readonly logWritten: Counter;
  readonly driftPValue: Gauge<"model" | "feature">;
  readonly driftDetected: Gauge<"model">;
  readonly monitoring: Readonly<Record<string, Gauge<"model">>>;
  readonly #classes = new Set<string>();
  /** Requests by label set, counted in a plain map on the hot path and published on scrape. */
  readonly #requestTally = new Map<string, { labels: RequestLabels; count: number; duration: DurationSeries }>();
  readonly #inFlightTally = new Map<string, { model: string; version: string; count: number }>();
  /** Predicted rows by model, version and class, tallied the same way. */
  readonly #predictionTally = new Map<
    string,
    { model: string; version: string; predicted_class: string; count: number }
  >();

  constructor() {
    const registers = [this.registry];
    const requestTally = this.#requestTally;
    const inFlightTally = this.#inFlightTally;
    this.requests = new Counter({
      name: "lathe_serve_requests_total",
      help: "HTTP requests answered, by route and status code.",
      labelNames: ["model", "version", "endpoint", "protocol", "code"],
      registers,
      collect() {
        this.reset();
        for (const { labels, count } of requestTally.values()) this.inc(labels, count);
      },
    });
    this.registry.registerMetric(this.duration as unknown as Metric);
    this.inFlight = new Gauge({
      name: "lathe_serve_requests_in_flight",
      help: "Requests being handled now.",
      labelNames: ["model", "version"],
      registers,
      collect() {
        this.reset();
        for (const { model, version, count } of inFlightTally.values()) this.set({ model, version }, count);
      },
    });
    const predictionTally = this.#predictionTally;
    this.predictions = new Counter({
      name: "lathe_serve_predictions_total",
      help: "Rows predicted, by predicted class (classifiers) or 'value' (regressors).",
      labelNames: ["model", "version", "predicted_class"],
      registers,
      collect() {
        this.reset();
        for (const { count, ...labels } of predictionTally.values()) this.inc(labels, count);
      },
    });
    this.batchSize = new Histogram({
      name: "lathe_serve_batch_size",
      help: "Rows per runtime call after micro-batching.",
      labelNames: ["model"],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.modelInfo = new Gauge({
      name: "lathe_serve_model_info",
      help: "The model being served (value 1).",
      labelNames: ["model", "version", "runtime"],
      // Every worker serves the same model: across a cluster this stays 1, not the worker count.
      aggregator: "max",
      registers,
    });
    this.modelLoadSeconds = new Histogram({
      name: "lathe_serve_model_load_duration_seconds",
      help: "Time to download and load a model version.",
      labelNames: ["model", "version"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    });
    this.logDropped = new Counter({
      name: "lathe_serve_prediction_log_dropped_records_total",
      help: "Prediction-log records dropped because the buffer was full or the disk failed.",
      registers,
    });
    this.logWritten = new Counter({
      name: "lathe_serve_prediction_log_written_records_total",
      help: "Prediction-log records written to disk.",
      registers,
    });
    this.driftPValue = new Gauge({
      name: "lathe_drift_p_value",
      help: "Drift test p-value of each feature in the latest monitoring window (low means drift).",
      labelNames: ["model", "feature"],
      aggregator: "min",
      registers,
    });
    this.driftDetected = new Gauge({
      name: "lathe_drift_detected",
      help: "1 when the latest monitoring window showed dataset drift, else 0.",
      labelNames: ["model"],
      aggregator: "max",
      registers,
    });
    const gauge = (name: string, help: string, aggregator: "min" | "max" = "max") =>
      // Labelled by model so a gauge is absent, not 0, until `lathe monitor` first sets it.
      new Gauge({ name, help, labelNames: ["model"], aggregator, registers });
    this.monitoring = {
      share: gauge("lathe_drift_share", "Share of features drifted in the latest monitoring window."),
      prediction: gauge(
        "lathe_prediction_drift_p_value",
        "Drift test p-value of the predictions in the latest monitoring window.",
        "min",
      ),
      accuracy: gauge("lathe_model_accuracy", "Accuracy on the labelled rows of the latest monitoring window.", "min"),
      f1: gauge("lathe_model_f1", "Macro F1 on the labelled rows of the latest monitoring window.", "min"),
      mae: gauge("lathe_model_mae", "Mean absolute error on the labelled rows of the latest monitoring window."),
      rmse: gauge("lathe_model_rmse", "Root mean squared error on the labelled rows of the latest monitoring window."),
      rows: gauge("lathe_monitoring_window_rows", "Predicted rows in the latest monitoring window."),
      updated: gauge("lathe_monitoring_last_update_timestamp_seconds", "When the monitoring gauges were last set."),
    };
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** A request started on `model`/`version`. */
  startRequest(model: string, version: string): void {
    const key = `${model}\u0000${version}`;
    const entry = this.#inFlightTally.get(key);
    if (entry) entry.count++;
    else this.#inFlightTally.set(key, { model, version, count: 1 });
  }

  /** A request finished: leaves the in-flight count, counts it by route and status, times it. */
  endRequest(labels: RequestLabels, seconds: number): void {
    const inFlight = this.#inFlightTally.get(`${labels.model}\u0000${labels.version}`);
    if (inFlight) inFlight.count--;
    const key = `${labels.model}\u0000${labels.version}\u0000${labels.endpoint}\u0000${labels.protocol}\u0000${labels.code}`;
    let entry = this.#requestTally.get(key);
    if (entry) entry.count++;
    else {
      const { model, version, endpoint } = labels;
      entry = { labels, count: 1, duration: this.duration.series({ model, version, endpoint }) };
      this.#requestTally.set(key, entry);
    }
    RequestDurationHistogram.observe(entry.duration, seconds);
  }

  /** Counts predicted classes (or values for a regressor) for one response. */
  countPredictions(
    model: string,
    version: string,
    labels: readonly (string | number)[] | undefined,
    rows: number,
  ): void {
    if (!labels) {
      this.#tallyPrediction(model, version, "value", rows);
      return;
    }
    for (const label of labels) {
      let key = String(label);
      if (!this.#classes.has(key)) {
        if (this.#classes.size >= MAX_CLASSES) key = "other";
        else this.#classes.add(key);
      }
      this.#tallyPrediction(model, version, key, 1);
    }
  }

  #tallyPrediction(model: string, version: string, predictedClass: string, rows: number): void {
    const key = `${model}\u0000${version}\u0000${predictedClass}`;
    const entry = this.#predictionTally.get(key);
    if (entry) entry.count += rows;
    else this.#predictionTally.set(key, { model, version, predicted_class: predictedClass, count: rows });
  }

  /** Marks `version` of `model` as the one served (and any previous one as not). */
  setModel(model: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model, version, runtime: "onnxruntime" }, 1);
  }

  /** Sets the monitoring gauges to one window's results; a value left out is removed, not kept stale. */
  setMonitoring(model: string, gauges: MonitoringGauges): void {
    this.driftPValue.reset();
    for (const [feature, value] of Object.entries(gauges.featurePValues))
      this.driftPValue.set({ model, feature }, value);
    this.driftDetected.reset();
    this.driftDetected.set({ model }, gauges.datasetDrift ? 1 : 0);
    const optional: [Gauge<"model">, number | undefined][] = [
      [this.monitoring.share!, gauges.shareOfDriftedColumns],
      [this.monitoring.prediction!, gauges.predictionDriftPValue],
      [this.monitoring.accuracy!, gauges.accuracy],
      [this.monitoring.f1!, gauges.f1],
      [this.monitoring.mae!, gauges.mae],
      [this.monitoring.rmse!, gauges.rmse],
      [this.monitoring.rows!, gauges.windowRows],
    ];
    for (const [metric, value] of optional) {
      metric.reset();
      if (value !== undefined) metric.set({ model }, value);
    }
    this.monitoring.updated!.reset();
    this.monitoring.updated!.set({ model }, Date.now() / 1000);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

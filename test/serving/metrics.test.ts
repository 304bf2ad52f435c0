/**
 * /metrics: Prometheus text with requests by route and status, latency, in-flight requests,
 * predictions by class, model name and version, process metrics and prediction-log drops.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ServingMetrics } from "../../src/serving/metrics.js";
import { FIXTURES, readExpected, startServing } from "./helpers.js";

describe("/metrics", () => {
  it("exposes the serving metrics with model labels", async () => {
    const expected = readExpected("iris_logreg");
    const serving = await startServing(join(FIXTURES, "mlflow-onnx-model"), {
      name: "iris",
      logBufferRecords: 1,
    });
    try {
      await Promise.all([
        serving.post("/invocations", { instances: expected.rows }),
        serving.post("/invocations", { instances: [[1, 2]] }),
        serving.post("/v2/models/iris/infer", {
          inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: expected.rows[0] }],
        }),
      ]);
      const response = await fetch(`${serving.url}/metrics`);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain(
        'lathe_serve_requests_total{model="iris",version="",endpoint="/invocations",protocol="mlflow",code="200"} 1',
      );
      expect(text).toContain(
        'lathe_serve_requests_total{model="iris",version="",endpoint="/invocations",protocol="mlflow",code="400"} 1',
      );
      expect(text).toContain('endpoint="/v2/models/:name/infer",protocol="v2",code="200"} 1');
      expect(text).toMatch(
        /lathe_serve_request_duration_seconds_bucket\{le="0.005",model="iris",version="",endpoint="\/invocations"\} \d/,
      );
      expect(text).toContain('lathe_serve_requests_in_flight{model="iris",version=""}');
      const setosa = expected.label?.filter((label) => label === "setosa").length ?? 0;
      expect(text).toContain(
        `lathe_serve_predictions_total{model="iris",version="",predicted_class="setosa"} ${setosa + 1}`,
      );
      expect(text).toContain('lathe_serve_model_info{model="iris",version="",runtime="onnxruntime"} 1');
      expect(text).toMatch(/process_cpu_seconds_total \d/);
      expect(text).toMatch(/process_resident_memory_bytes \d/);
      expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
      // A one-record buffer cannot hold two requests arriving together.
      expect(text).toMatch(/lathe_serve_prediction_log_dropped_records_total [1-9]/);
    } finally {
      await serving.close();
    }
  });
});

describe("ServingMetrics latency histogram", () => {
  it("counts a duration in the first bucket whose bound holds it, cumulatively, with sum and count", async () => {
    const metrics = new ServingMetrics();
    const labels = { model: "m", version: "2", endpoint: "/invocations", protocol: "mlflow", code: "200" };
    for (const seconds of [0.0005, 0.003, 0.003, 20]) {
      metrics.startRequest("m", "2");
      metrics.endRequest(labels, seconds);
    }
    const { text } = await metrics.render();
    const series = 'model="m",version="2",endpoint="/invocations"';
    expect(text).toContain(`lathe_serve_request_duration_seconds_bucket{le="0.0005",${series}} 1`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_bucket{le="0.0025",${series}} 1`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_bucket{le="0.005",${series}} 3`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_bucket{le="10",${series}} 3`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_bucket{le="+Inf",${series}} 4`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_sum{${series}} 20.0065`);
    expect(text).toContain(`lathe_serve_request_duration_seconds_count{${series}} 4`);
    expect(text).toContain('lathe_serve_requests_in_flight{model="m",version="2"} 0');
  });

  it("counts predicted classes per model, version and class", async () => {
    const metrics = new ServingMetrics();
    metrics.countPredictions("m", "1", ["setosa", "virginica", "setosa"], 3);
    metrics.countPredictions("m", "1", undefined, 5);
    const { text } = await metrics.render();
    expect(text).toContain('lathe_serve_predictions_total{model="m",version="1",predicted_class="setosa"} 2');
    expect(text).toContain('lathe_serve_predictions_total{model="m",version="1",predicted_class="virginica"} 1');
    expect(text).toContain('lathe_serve_predictions_total{model="m",version="1",predicted_class="value"} 5');
  });
});

/**
 * /metrics: Prometheus text with requests by route and status, latency, in-flight requests,
 * predictions by class, model name and version, process metrics and prediction-log drops.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

/**
 * @module cli/serve
 * `lathe serve <model>`: the model server (MLflow /invocations and the Open Inference Protocol).
 */
import type { Command } from "commander";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve a model over MLflow's /invocations and the Open Inference Protocol (/v2), with /metrics and a prediction log.",
    )
    .argument("<model>", "models:/name@alias, models:/name/Stage, models:/name/version, runs:/<run_id>/model or a path")
    .option("--host <host>", "address to listen on (default 127.0.0.1)")
    .option("-p, --port <port>", "port to listen on (default 8080)")
    .option("-w, --workers <n>", "worker processes sharing the port (default 1)")
    .option("--tracking-uri <uri>", "tracking server (default MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)")
    .option("--batch-window-ms <ms>", "how long a request waits to be batched with others (default 1; 0 = off)")
    .option("--max-batch-size <rows>", "most rows in one batched model call (default 256)")
    .option("--no-batching", "run every request on its own")
    .option("--log-dir <dir>", "prediction log folder (default ./predictions)")
    .option("--no-prediction-log", "do not write the prediction log")
    .option("--log-max-file-bytes <size>", "rotate prediction log files past this size (default 64MB)")
    .option("--poll-seconds <s>", "how often to ask the registry whether an alias or stage moved (default 10)")
    .option("--name <name>", "model name for a local or run model (default: its folder's name)")
    .option("--max-request-bytes <size>", "largest request body, e.g. 16MB (default 16MB)")
    .action(async (model: string, flags: Record<string, unknown>, command: Command) => {
      // Loaded here, not at the top: other commands should not pay for the server and onnxruntime.
      const { resolveServeSettings, runServe } = await import("../serving/index.js");
      const { loadConfigFile } = await import("../core/config.js");
      const { createLogger } = await import("../core/logging.js");
      const explicit = (name: string) => command.getOptionValueSource(name) === "cli";
      const settings = resolveServeSettings(
        model,
        {
          host: flags.host,
          port: flags.port,
          workers: flags.workers,
          trackingUri: flags.trackingUri,
          batchWindowMs: explicit("batching") && flags.batching === false ? 0 : flags.batchWindowMs,
          maxBatchSize: flags.maxBatchSize,
          logDir: explicit("predictionLog") && flags.predictionLog === false ? "" : flags.logDir,
          logMaxFileBytes: flags.logMaxFileBytes,
          pollSeconds: flags.pollSeconds,
          name: flags.name,
          maxRequestBytes: flags.maxRequestBytes,
        },
        loadConfigFile(),
      );
      await runServe(settings, createLogger({ name: "lathe-serve" }));
    });
}

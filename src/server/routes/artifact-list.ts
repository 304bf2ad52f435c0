/**
 * @module server/routes/artifact-list
 * `artifacts/list`: the files under a run's artifact root, wherever that root lives (the proxied
 * destination for `mlflow-artifacts:` URIs, a local folder for `file:` ones, a bucket for `s3:` ones,
 * read with the server's own AWS credentials as MLflow's server does).
 */
import { openArtifactRepository, validateArtifactPath } from "../../artifacts/index.js";
import { LatheError } from "../../core/errors.js";
import { type Endpoint, field } from "../endpoint.js";
import { wirePage } from "../wire.js";

export const artifactListEndpoints: Endpoint[] = [
  {
    methods: ["GET"],
    path: "artifacts/list",
    summary: "List a run's artifacts under a path (relative to the run's artifact root).",
    fields: [field("run_id", "string", true), field("path", "string"), field("page_token", "string")],
    async handle(params, { store, artifactsDestination }) {
      const run = await store.getRun(params.runId());
      const path = validateArtifactPath(params.optionalString("path") ?? "");
      const uri = run.info.artifact_uri;
      if (uri.startsWith("mlflow-artifacts:") && artifactsDestination === undefined) {
        throw new LatheError(
          "TEMPORARILY_UNAVAILABLE",
          "This server does not serve artifacts (--no-serve-artifacts), so it cannot list mlflow-artifacts:/ locations. Start it with --serve-artifacts.",
        );
      }
      const repository = openArtifactRepository(uri, { artifactsDestination: artifactsDestination ?? "" });
      const files = await repository.list(path);
      return { root_uri: uri, ...wirePage("files", files) };
    },
  },
];

/**
 * @module cli/server
 * `lathe server`: MLflow's `mlflow server` flags, same meanings.
 */
import type { Command } from "commander";

export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description("Run the MLflow-compatible tracking server (REST API, artifact proxy).")
    .option("--host <host>", "address to listen on (default 127.0.0.1)")
    .option("-p, --port <port>", "port to listen on (default 5000)")
    .option("--backend-store-uri <uri>", "where runs are stored (default sqlite:///mlruns.db)")
    .option(
      "--default-artifact-root <uri>",
      "artifact root for new experiments (default mlflow-artifacts:/ when serving artifacts, else ./mlruns)",
    )
    .option(
      "--artifacts-destination <uri>",
      "folder or s3://bucket/prefix behind mlflow-artifacts:/ (default ./mlartifacts)",
    )
    .option("--serve-artifacts", "proxy artifact uploads and downloads (the default)")
    .option("--no-serve-artifacts", "do not proxy artifacts; clients write to the artifact root themselves")
    .option("-w, --workers <n>", "worker processes sharing the port (default 1)")
    .option("--max-request-bytes <size>", "largest JSON request body, e.g. 16MB (default 16MB)")
    .option("--auth", "require users and permissions (HTTP Basic or bearer tokens); see docs/auth.md")
    .option("--auth-default-permission <p>", "permission where none is set: READ (default), EDIT, NO_PERMISSIONS...")
    .option("--auth-admin-username <name>", "first admin, created at start when missing (or LATHE_AUTH_ADMIN_USERNAME)")
    .option("--auth-admin-password <password>", "first admin's password, 12+ characters (or LATHE_AUTH_ADMIN_PASSWORD)")
    .option("--cors-allowed-origins <origins>", "browser origins allowed to call the API, comma-separated")
    .option("--project <dir>", "DVC project folder whose dvc.yaml the web UI's Pipeline page shows")
    .action(async (flags: Record<string, unknown>, command: Command) => {
      // Loaded here, not at the top: every other command would pay for the YAML and logging modules.
      const { resolveServerSettings, runServer } = await import("../server/index.js");
      const { loadConfigFile } = await import("../core/config.js");
      const { createLogger } = await import("../core/logging.js");
      const settings = resolveServerSettings(
        {
          host: flags.host,
          port: flags.port,
          backendStoreUri: flags.backendStoreUri,
          defaultArtifactRoot: flags.defaultArtifactRoot,
          artifactsDestination: flags.artifactsDestination,
          // commander defaults a --no-x pair to true; only an explicit flag should override env and file.
          serveArtifacts: command.getOptionValueSource("serveArtifacts") === "cli" ? flags.serveArtifacts : undefined,
          workers: flags.workers,
          maxRequestBytes: flags.maxRequestBytes,
          auth: flags.auth,
          authDefaultPermission: flags.authDefaultPermission,
          authAdminUsername: flags.authAdminUsername,
          authAdminPassword: flags.authAdminPassword,
          corsAllowedOrigins: flags.corsAllowedOrigins,
          project: flags.project,
        },
        loadConfigFile(),
      );
      await runServer(settings, createLogger({ name: "lathe-server" }));
    });
}

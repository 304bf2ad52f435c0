/**
 * @module server
 * The MLflow-compatible tracking server.
 */

export type { AppOptions } from "./app.js";
export { buildApp, ENDPOINTS, REGISTRY_ENDPOINTS, TRACKING_ENDPOINTS } from "./app.js";
export type { ServerSettings } from "./settings.js";
export { effectiveArtifactRoot, resolveServerSettings, SERVER_SETTINGS } from "./settings.js";
export type { RunningServer } from "./start.js";
export { runServer, startServer } from "./start.js";

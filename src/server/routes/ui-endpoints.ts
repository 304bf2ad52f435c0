/**
 * @module server/routes/ui-endpoints
 * The web UI's Lathe-only endpoints, mounted on `/ajax-api` only.
 */
import type { Endpoint } from "../endpoint.js";
import { uiRegistryEndpoints } from "./ui-registry.js";
import { uiSearchEndpoints } from "./ui-search.js";

export const uiEndpoints: readonly Endpoint[] = [...uiRegistryEndpoints, ...uiSearchEndpoints];

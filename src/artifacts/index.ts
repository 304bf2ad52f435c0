/**
 * @module artifacts
 * Artifact storage for the tracking server's artifact proxy and `artifacts/list`: path safety, the repository
 * contract, the local-disk and S3 repositories and URI resolution.
 */
export { LocalArtifactRepository } from "./local.js";
export {
  decodeLayers,
  hasControlChar,
  isTraversalSegment,
  MAX_ARTIFACT_PATH_LENGTH,
  validateArtifactPath,
} from "./path-safety.js";
export type { ArtifactFileInfo, ArtifactRepository } from "./repository.js";
export type { S3ArtifactOptions } from "./s3.js";
export { ARTIFACT_ENDPOINT_VARIABLES, parseS3ArtifactUri, S3ArtifactRepository } from "./s3.js";
export type { ArtifactLocationOptions, ArtifactStoreOptions } from "./uri.js";
export {
  DEFAULT_MAX_ARTIFACT_LOCATION_LENGTH,
  openArtifactRepository,
  openArtifactsDestination,
  resolveArtifactsDestination,
  validateArtifactLocation,
} from "./uri.js";

/**
 * @module release
 * Releases: deploy a registered model version to a named environment, smoke-test it there, and
 * approve it on to production, all recorded through MLflow's REST API.
 */
export type { SmokeAnswer } from "./compare.js";
export { checkAnswer, findDifference } from "./compare.js";
export type {
  ApprovedRelease,
  ApproveReleaseOptions,
  CreatedRelease,
  CreateReleaseOptions,
} from "./pipeline.js";
export { approveRelease, createRelease, readReport } from "./pipeline.js";
export type { Approval, Environment, Release, ReleaseFilter, ReleaseStatus, SmokeSummary } from "./records.js";
export {
  currentUser,
  getEnvironment,
  getRelease,
  listEnvironments,
  listReleases,
  RELEASE_EXPERIMENT,
  RELEASE_TAGS,
  REPORT_ARTIFACT,
  setEnvironment,
} from "./records.js";
export type { EndpointOptions, SmokeReport, SmokeResult } from "./runner.js";
export { runSmokeTest, servedVersion, waitForVersion } from "./runner.js";
export type { SmokeExpectation, SmokeFile, SmokeProtocol, SmokeRequest } from "./smoke-file.js";
export { parseSmokeFile, readSmokeFile } from "./smoke-file.js";

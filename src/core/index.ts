export type { ConfigFile, SettingSpec, SettingsSpec } from "./config.js";
export {
  loadConfigFile,
  parseBoolean,
  parseByteSize,
  parseInteger,
  parseString,
  resolveSettings,
} from "./config.js";
export type { ErrorCode, ErrorCodeInfo } from "./errors.js";
export { alreadyExists, ERROR_CODES, invalidParameter, isLatheError, LatheError, notFound } from "./errors.js";
export { writeFileAtomic, writeStreamAtomic } from "./fs.js";
export { newRunId, randomRunName } from "./ids.js";
export type { Logger, LoggerOptions } from "./logging.js";
export { createLogger } from "./logging.js";

/**
 * @module core/logging
 * One pino logger for the process. Level from LATHE_LOG_LEVEL (default "info"); JSON lines on
 * stderr so stdout stays free for command output.
 */
import { type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LATHE_LOG_LEVEL ?? "info";
  return pino({ level, name: options.name ?? "lathe" }, pino.destination({ fd: 2, sync: false }));
}

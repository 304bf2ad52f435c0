/**
 * @module lathe
 * The public TypeScript API. Heavier parts live behind subpath exports (`lathe/server`,
 * `lathe/tracking`).
 */
export * from "./core/index.js";

/**
 * @module ui/vite.config
 * Builds the web UI into `dist/ui`: one page, content-hashed assets under `assets/`, relative URLs
 * so the server may sit behind a path prefix, and nothing loaded from elsewhere at run time.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
});

import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Tauri sets TAURI_ENV_DEBUG for `tauri dev` / debug builds.
const debug = !!process.env.TAURI_ENV_DEBUG;
const testing = !!process.env.VITEST;

export default defineConfig({
  base: "./",
  plugins: [svelte()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 1420,
    strictPort: true,
    host: process.env.TAURI_DEV_HOST || false,
  },
  // Component tests mount real Svelte components, which needs the browser build of Svelte.
  resolve: testing ? { conditions: ["browser"] } : undefined,
  build: {
    outDir: "dist",
    // The Linux webview is WebKitGTK; keep the output within what Safari 15 understands.
    target: ["es2021", "safari15"],
    minify: !debug,
    sourcemap: debug,
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
    restoreMocks: true,
  },
});

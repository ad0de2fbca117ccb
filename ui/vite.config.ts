/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The app is served from the binary (tauri://localhost); nothing is fetched from the network.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  build: {
    outDir: "dist",
    target: "es2022",
    // pdf.js's worker is big by nature; it is a local file, not a download.
    chunkSizeWarningLimit: 2048,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});

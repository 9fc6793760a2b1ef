// Build and dev-server configuration for the Confab web client.
// The output in dist/ is embedded by the Rust server, which sends a strict CSP:
// everything must be same-origin files (no inline scripts or styles, no CDNs).
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The Rust server during development (`confab serve` default port); override with CONFAB_API.
const api = process.env.CONFAB_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // JSX through Vite's built-in oxc transform; no React plugin needed.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Keep every asset a file: nothing inlined as data: that CSP would need to allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // The server embeds dist/; source maps would only add weight to the binary.
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for server components; irrelevant to an SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false, ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});

import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Two projects: `unit` needs nothing running (domain rules, emulators, pure helpers);
// `integration` talks to a real database chosen by DATABASE_URL (SQLite by default,
// PostgreSQL when scripts/with-postgres.mjs sets it).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    projects: [
      {
        plugins: [tsconfigPaths()],
        test: {
          name: "unit",
          include: ["domain/**/*.test.ts", "app/**/*.test.ts", "tests/emulators/**/*.test.ts", "tests/contract/**/*.test.ts", "scripts/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        plugins: [tsconfigPaths()],
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          setupFiles: ["tests/integration/setup.ts"],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Hostile files, fuzzers and fault tests (docs/reliability.md); RELIABILITY_SIZE=quick|full.
        plugins: [tsconfigPaths()],
        test: {
          name: "reliability",
          include: ["tests/reliability/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/reliability/global-setup.ts"],
          setupFiles: ["tests/integration/setup.ts", "tests/reliability/setup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

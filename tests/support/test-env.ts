/** Fixed, obviously fake secrets for tests. Real ones only ever come from the environment. */
export const TEST_API_SECRET = "test-api-secret-0123456789abcdef";
export const TEST_API_KEY = "test-api-key";
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export function testEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:3999",
    CARRYOVER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Tests run jobs with a JobRunner of their own; tests/integration/job-engines.test.ts runs both
    // engines (pg-boss on PostgreSQL) by setting JOB_ENGINE itself.
    JOB_ENGINE: "in-process",
  };
}

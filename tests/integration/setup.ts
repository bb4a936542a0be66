import { inject } from "vitest";
import { testEnv } from "../support/test-env";

// Runs before each test file imports the app, so env.server.ts sees a complete environment.
Object.assign(process.env, testEnv(inject("databaseUrl")));

import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The lint rule that keeps domain/ pure is itself tested: a forbidden import must be reported.
const eslint = new ESLint({ cwd: process.cwd() });

async function problems(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId);
}

describe("domain purity lint rule", () => {
  it.each([
    ['import { json } from "@remix-run/node";', "web framework"],
    ['import { PrismaClient } from "@prisma/client";', "database"],
    ['import { shopifyApp } from "@shopify/shopify-app-remix/server";', "platform SDK"],
    ['import { GraphQLClient } from "graphql-request";', "GraphQL client"],
    ['import prisma from "~/db.server";', "app code"],
  ])("rejects %s (%s) in domain/", async (code) => {
    expect(await problems(`${code}\nexport const x = 1;\n`, "domain/example.ts")).toContain("no-restricted-imports");
  });

  it("rejects process.env in domain/", async () => {
    expect(await problems("export const url = process.env.DATABASE_URL;\n", "domain/example.ts")).toContain("no-restricted-properties");
  });

  it("allows the same imports in app/", async () => {
    expect(await problems('import { PrismaClient } from "@prisma/client";\nexport const C = PrismaClient;\n', "app/example.server.ts")).toEqual([]);
  });

  it("finds nothing to report in the real domain/", async () => {
    const results = await eslint.lintFiles(["domain/**/*.ts"]);
    expect(results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  }, 120_000); // type-aware lint of the whole of domain/: ~16 s on a busy machine
});

import { Prisma } from "@prisma/client";

/** True for a unique-constraint violation (P2002), whichever database and client raised it. */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2002";
  // The PostgreSQL client is generated separately, so its error class is a different object.
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

import prisma from "../db.server";

// Liveness and database reachability, for the demo launcher and CI.
export const loader = async () => {
  await prisma.shop.count();
  return Response.json({ ok: true });
};

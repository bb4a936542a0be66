import type { ActionFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { migrationIdOf } from "../services/admin/step.server";
import { receiveUpload } from "../services/admin/upload.server";

// Resource route: the Upload step's file, posted by XMLHttpRequest (for its upload progress), answered as JSON.
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const result = await receiveUpload(request, shop.id, migrationIdOf(params));
  return Response.json(result, { status: result.outcome === "not-found" ? 404 : 200, headers: { "cache-control": "private, no-store" } });
};

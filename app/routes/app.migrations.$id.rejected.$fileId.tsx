import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { rejectedRowsDownload } from "../services/admin/upload.server";

const Params = z.object({ id: z.string().min(1).max(64), fileId: z.string().min(1).max(64) });

// Resource route: the rejected rows of one of this migration's files, as a CSV download.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const parsed = Params.safeParse(params);
  if (!parsed.success) return new Response("Not found", { status: 404 });
  const download = await rejectedRowsDownload(shop.id, parsed.data.id, parsed.data.fileId);
  if (!download) return new Response("Not found", { status: 404 });
  return new Response(download.body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${download.fileName}"`,
      "cache-control": "private, no-store",
    },
  });
};

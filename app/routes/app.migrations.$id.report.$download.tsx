import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "../auth.server";
import { formatter } from "../i18n";
import { requestLocale } from "../i18n/locale.server";
import { DOWNLOADS, reportDownload } from "../services/admin/report-step.server";

const Params = z.object({ id: z.string().min(1).max(64), download: z.enum(DOWNLOADS) });

// Resource route: the Report step's CSV downloads (exceptions; members with restored balances), in the admin's language.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const parsed = Params.safeParse(params);
  if (!parsed.success) return new Response("Not found", { status: 404 });
  const download = await reportDownload(shop.id, parsed.data.id, parsed.data.download, formatter(requestLocale(request, shop)));
  if (!download) return new Response("Not found", { status: 404 });
  return new Response(download.body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${download.fileName}"`,
      "cache-control": "private, no-store",
    },
  });
};

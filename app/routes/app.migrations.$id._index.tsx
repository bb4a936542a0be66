import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { appPath } from "../services/admin/paths";
import { migrationIdOf } from "../services/admin/step.server";
import { wizardView } from "../services/admin/wizard.server";

// Resumable: the migration's own URL opens the step its state is at.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const view = await wizardView(shop.id, migrationIdOf(params));
  if (!view) throw new Response("Not found", { status: 404 });
  return redirect(appPath(request, `/app/migrations/${view.migration.id}/${view.current}`));
};

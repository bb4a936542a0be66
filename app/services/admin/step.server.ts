import { redirect } from "@remix-run/node";
import type { Shop } from "@prisma/client";
import { z } from "zod";
import { requireAdmin } from "../../auth.server";
import { appPath } from "./paths";
import { wizardView, type WizardView } from "./wizard.server";
import { isWizardStep, stepEditable, type WizardStep } from "./wizard-steps";

const Params = z.object({ id: z.string().min(1).max(64) });

/** The migration id of a wizard URL, or a 404 the merchant can read. */
export function migrationIdOf(params: Record<string, string | undefined>): string {
  const parsed = Params.safeParse(params);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  return parsed.data.id;
}

/**
 * Every wizard step's loader: the admin, this shop's migration (404 for another shop's), and the
 * step must be reachable from the migration's state, else the merchant is sent to the current one.
 */
export async function loadStep(request: Request, params: Record<string, string | undefined>, stepName: string): Promise<{ shop: Shop; step: WizardStep; view: WizardView; editable: boolean }> {
  const { shop } = await requireAdmin(request);
  if (!isWizardStep(stepName)) throw new Response("Not found", { status: 404 });
  const step = stepName;
  const view = await wizardView(shop.id, migrationIdOf(params));
  if (!view) throw new Response("Not found", { status: 404 });
  if (!view.steps.find((s) => s.key === step)?.reachable) throw redirect(appPath(request, `/app/migrations/${view.migration.id}/${view.current}`));
  return { shop, step, view, editable: stepEditable(step, view.migration.state) };
}

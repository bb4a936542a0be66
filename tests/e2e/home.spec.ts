import { ARTIFACTS, EMULATOR, expect, test } from "./fixtures";

test("the merchant opens the app and sees the store's numbers, read from the platform", async ({ page, request }) => {
  const health = (await (await request.get(`${EMULATOR}/_emulator/health`)).json()) as { customers: number; orders: number };
  expect(health.customers).toBe(1234);

  await page.goto("/app");
  await expect(page.getByRole("heading", { name: "Carryover" }).first()).toBeVisible();
  await expect(page.getByText("Local demo mode")).toBeVisible();
  await expect(page.getByTestId("customer-count")).toHaveText(health.customers.toLocaleString("en"));
  await expect(page.getByTestId("order-count")).toHaveText(health.orders.toLocaleString("en"));
  await expect(page.getByTestId("migration-count")).toHaveText("1"); // the demo migrates its old program at start-up
  await page.screenshot({ path: `${ARTIFACTS}/home.png`, fullPage: true });
});

test("a customer created in the emulator reaches the app as a signed webhook, once", async ({ request }) => {
  const email = `e2e-${Date.now()}@example.com`;
  const res = await request.post(`${EMULATOR}/_emulator/customers`, {
    data: { firstName: "Joana", lastName: "Lima", email, deliver: { times: 3 } },
  });
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { deliveries: { topic: string; webhookId: string; statuses: number[] }[] };
  expect(body.deliveries).toHaveLength(1);
  expect(body.deliveries[0]!.topic).toBe("customers/create");
  expect(body.deliveries[0]!.statuses).toEqual([200, 200, 200]);
});

test("the root URL leads to the admin in demo mode", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/app/);
});

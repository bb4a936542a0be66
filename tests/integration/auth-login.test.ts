import { describe, expect, it } from "vitest";
import { action as loginAction, loader as loginLoader } from "~/routes/auth.login/route";
import { loader as rootLoader } from "~/routes/_index";
import { callRoute } from "../support/remix";

function form(fields: Record<string, string>) {
  return new Request("http://127.0.0.1:3999/auth/login", { method: "POST", body: new URLSearchParams(fields) });
}

describe("install and login", () => {
  it("sends a visitor without a shop to the login page", async () => {
    const res = await callRoute(rootLoader, new Request("http://127.0.0.1:3999/"));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/login");
  });

  it("sends Shopify's install/open request on to the admin with its parameters", async () => {
    const res = await callRoute(rootLoader, new Request("http://127.0.0.1:3999/?shop=a-shop.myshopify.com&host=abc"));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/app?shop=a-shop.myshopify.com&host=abc");
  });

  it("asks for a shop domain, and refuses one that is not a shop", async () => {
    const empty = await (await callRoute(loginAction, form({ shop: "" }))).json();
    expect(empty.errors.shop).toMatch(/enter your shop domain/);
    const bad = await (await callRoute(loginAction, form({ shop: "evil.example.com/x" }))).json();
    expect(bad.errors.shop).toMatch(/valid shop domain/);
  });

  it("starts the install in the shop's admin for a valid shop", async () => {
    const res = await callRoute(loginAction, form({ shop: "a-shop.myshopify.com" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^https:\/\/(admin\.shopify\.com\/store\/a-shop|a-shop\.myshopify\.com)\//);
  });

  it("renders the login form on GET", async () => {
    const res = await callRoute(loginLoader, new Request("http://127.0.0.1:3999/auth/login"));
    expect(res.status).toBe(200);
  });
});

import { describe, expect, it } from "vitest";
import { bulkCustomersQuery } from "./operations/bulk-customers";
import { bulkOrdersQuery } from "./operations/bulk-orders";
import { customerSnapshot, isoUtc, orderSnapshot, updatedSinceSearch } from "./snapshots";

describe("Shopify snapshots", () => {
  it("normalises instants to ISO UTC with Z", () => {
    expect(isoUtc("2026-01-31T12:00:00Z")).toBe("2026-01-31T12:00:00.000Z");
    expect(isoUtc("2026-10-31T21:00:00-03:00")).toBe("2026-11-01T00:00:00.000Z");
    expect(() => isoUtc("yesterday")).toThrow(RangeError);
  });

  it("maps a customer: email and phone from their default objects, no CPF, gid kept as a string", () => {
    expect(
      customerSnapshot({
        id: "gid://shopify/Customer/702134567890123456",
        firstName: "João",
        lastName: null,
        state: "ENABLED",
        createdAt: "2025-03-01T10:00:00Z",
        updatedAt: "2026-10-31T21:00:00-03:00",
        defaultEmailAddress: { emailAddress: " Joao@Example.com " },
        defaultPhoneNumber: null,
      }),
    ).toEqual({
      platformId: "gid://shopify/Customer/702134567890123456",
      email: " Joao@Example.com ",
      phone: null,
      cpf: null,
      firstName: "João",
      lastName: null,
      state: "ENABLED",
      createdAt: "2025-03-01T10:00:00.000Z",
      updatedAt: "2026-11-01T00:00:00.000Z",
    });
  });

  it("maps an order: placedAt from processedAt when present, buyer id, shop money", () => {
    const base = {
      id: "gid://shopify/Order/1",
      name: "#1001",
      displayFinancialStatus: "REFUNDED",
      displayFulfillmentStatus: "RESTOCKED",
      cancelledAt: "2026-02-01T00:00:00-03:00",
      closed: true,
      createdAt: "2026-01-02T00:00:00Z",
      processedAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-02-01T03:00:00Z",
      customer: { id: "gid://shopify/Customer/9" },
      totalPriceSet: { shopMoney: { amount: "129.9", currencyCode: "BRL" } },
    };
    expect(orderSnapshot(base)).toEqual({
      platformId: "gid://shopify/Order/1",
      customerId: "gid://shopify/Customer/9",
      name: "#1001",
      financialStatus: "REFUNDED",
      fulfillmentStatus: "RESTOCKED",
      status: null,
      cancelledAt: "2026-02-01T03:00:00.000Z",
      closed: true,
      totalAmount: "129.9",
      currency: "BRL",
      placedAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-02-01T03:00:00.000Z",
    });
    const guest = orderSnapshot({ ...base, processedAt: null, customer: null, cancelledAt: null });
    expect(guest).toMatchObject({ customerId: null, cancelledAt: null, placedAt: "2026-01-02T00:00:00.000Z" });
  });

  it("filters updated_at at whole seconds, rounded down so nothing at the instant is missed", () => {
    expect(updatedSinceSearch(new Date("2026-11-01T12:34:56.789Z"))).toBe("updated_at:>='2026-11-01T12:34:56Z'");
    expect(() => updatedSinceSearch(new Date("nope"))).toThrow(RangeError);
  });

  it("builds bulk queries with one connection and the search filter as a GraphQL string", () => {
    expect(bulkCustomersQuery(null)).toMatch(/^\{ customers \{ edges \{ node \{ id firstName .* defaultEmailAddress \{ emailAddress \} .*\} \} \} \}$/);
    expect(bulkOrdersQuery("updated_at:>='2026-11-01T12:00:00Z'")).toContain(`orders(query: "updated_at:>='2026-11-01T12:00:00Z'")`);
  });
});

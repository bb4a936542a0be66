import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, extractCpf, parseLinkHeader, parseNuvemshopDate, splitName, toCustomerSnapshot, toOrderSnapshot } from "./nuvemshop-mapping";

describe("parseNuvemshopDate", () => {
  it("reads offsets without a colon (Nuvemshop's usual form), with one, Z, and zone-less as UTC", () => {
    expect(parseNuvemshopDate("2026-03-01T12:00:00-0300")).toBe("2026-03-01T15:00:00.000Z");
    expect(parseNuvemshopDate("2026-03-01T15:00:00+0000")).toBe("2026-03-01T15:00:00.000Z");
    expect(parseNuvemshopDate("2013-01-03T09:11:51-03:00")).toBe("2013-01-03T12:11:51.000Z");
    expect(parseNuvemshopDate("2026-03-01T23:30:00-0300")).toBe("2026-03-02T02:30:00.000Z");
    expect(parseNuvemshopDate("2026-03-01T01:00:00+0530")).toBe("2026-02-28T19:30:00.000Z");
    expect(parseNuvemshopDate("2026-03-01T12:00:00Z")).toBe("2026-03-01T12:00:00.000Z");
    expect(parseNuvemshopDate("2026-03-01T12:00:00.250-03")).toBe("2026-03-01T15:00:00.250Z");
    // Metafield creation answers `2015-01-02 20:27:51`: no zone, read as UTC (never the machine's zone).
    expect(parseNuvemshopDate("2015-01-02 20:27:51")).toBe("2015-01-02T20:27:51.000Z");
    expect(parseNuvemshopDate("2026-03-01")).toBe("2026-03-01T00:00:00.000Z");
  });

  it("refuses what is not a date", () => {
    for (const bad of ["", "yesterday", "2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01T25:00:00Z", "1709300000", null, 1709300000, { date: "2026-03-01 15:00:00.000000" }]) {
      expect(parseNuvemshopDate(bad)).toBeNull();
    }
  });
});

describe("extractCpf", () => {
  it("keeps the 11 digits of a valid CPF, formatted or bare", () => {
    expect(extractCpf("529.982.247-25")).toBe("52998224725");
    expect(extractCpf("52998224725")).toBe("52998224725");
    expect(extractCpf(" 529 982 247 25 ")).toBe("52998224725");
  });

  it("null for wrong check digits, repeated digits, CNPJs, other text and missing values", () => {
    expect(extractCpf("529.982.247-24")).toBeNull();
    expect(extractCpf("111.111.111-11")).toBeNull();
    expect(extractCpf("11.222.333/0001-81")).toBeNull();
    expect(extractCpf("CPF 52998224725")).toBeNull();
    expect(extractCpf("5299822472")).toBeNull();
    expect(extractCpf("")).toBeNull();
    expect(extractCpf(null)).toBeNull();
    expect(extractCpf(52998224725)).toBeNull();
  });
});

describe("splitName", () => {
  it("splits Nuvemshop's single name on the first space", () => {
    expect(splitName("João da Conceição")).toEqual({ firstName: "João", lastName: "da Conceição" });
    expect(splitName("  Ana   Souza ")).toEqual({ firstName: "Ana", lastName: "Souza" });
    expect(splitName("Cher")).toEqual({ firstName: "Cher", lastName: null });
    expect(splitName("  ")).toEqual({ firstName: null, lastName: null });
    expect(splitName(null)).toEqual({ firstName: null, lastName: null });
  });
});

describe("parseLinkHeader", () => {
  it("reads every rel of Nuvemshop's Link header", () => {
    const header =
      '<https://api.tiendanube.com/2025-03/1/customers?page=3&per_page=200>; rel="next", <https://api.tiendanube.com/2025-03/1/customers?page=9&per_page=200>; rel="last", ' +
      '<https://api.tiendanube.com/2025-03/1/customers?page=1&per_page=200>; rel="first", <https://api.tiendanube.com/2025-03/1/customers?page=1&per_page=200>; rel="prev"';
    expect(parseLinkHeader(header)).toEqual({
      next: "https://api.tiendanube.com/2025-03/1/customers?page=3&per_page=200",
      last: "https://api.tiendanube.com/2025-03/1/customers?page=9&per_page=200",
      first: "https://api.tiendanube.com/2025-03/1/customers?page=1&per_page=200",
      prev: "https://api.tiendanube.com/2025-03/1/customers?page=1&per_page=200",
    });
  });

  it("tolerates unquoted rels, other parameters, several rels at once, and nothing at all", () => {
    expect(parseLinkHeader("<http://x/a?b=1,2>;rel=next")).toEqual({ next: "http://x/a?b=1,2" });
    expect(parseLinkHeader('<http://x/a>; title="a, b"; rel="prev first"')).toEqual({ prev: "http://x/a", first: "http://x/a" });
    expect(parseLinkHeader('<http://x/last>; rel="last"').next).toBeUndefined();
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader("")).toEqual({});
  });
});

describe("stream cursor", () => {
  it("round-trips and stays opaque (URL-safe text)", () => {
    const position = { pass: "refunded", sinceId: "950000123", updatedMin: "2026-11-20T10:00:00.000Z", seen: 400 };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
    expect(decodeCursor(encodeCursor({ pass: "", sinceId: null, updatedMin: null, seen: 0 }))).toEqual({ pass: "", sinceId: null, updatedMin: null, seen: 0 });
  });

  it("refuses anything it did not make", () => {
    for (const bad of ["", "page=3", Buffer.from("{}").toString("base64url"), Buffer.from(JSON.stringify({ v: 1, p: "", s: "12a", u: null, n: 0 })).toString("base64url"), Buffer.from(JSON.stringify({ v: 2, p: "", s: null, u: null, n: 0 })).toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(/cursor/);
    }
  });
});

describe("snapshots", () => {
  it("a customer as documented (one name, CPF in identification, -03:00 dates)", () => {
    expect(
      toCustomerSnapshot({
        id: 101,
        name: "John Doe",
        email: " john.doe@example.com ",
        phone: null,
        identification: "28776255670",
        created_at: "2013-01-03T09:11:51-03:00",
        updated_at: "2013-03-11T09:14:11-0300",
      }),
    ).toEqual({
      platformId: "101",
      email: "john.doe@example.com",
      phone: null,
      cpf: "28776255670", // the documented example's number has valid check digits
      firstName: "John",
      lastName: "Doe",
      state: null,
      createdAt: "2013-01-03T12:11:51.000Z",
      updatedAt: "2013-03-11T12:14:11.000Z",
    });
  });

  it("an order: number, statuses, closed, decimal total, guest orders without a buyer", () => {
    const order = {
      id: 950000013,
      number: 113,
      customer: { id: 110000002, name: "Ana" },
      payment_status: "paid",
      shipping_status: "shipped",
      status: "closed",
      cancelled_at: null,
      total: "129.90",
      currency: "BRL",
      created_at: "2026-03-01T12:00:00-0300",
      updated_at: "2026-03-02T12:00:00-0300",
    };
    expect(toOrderSnapshot(order)).toEqual({
      platformId: "950000013",
      customerId: "110000002",
      name: "113",
      financialStatus: "paid",
      fulfillmentStatus: "shipped",
      status: "closed",
      cancelledAt: null,
      closed: true,
      totalAmount: "129.90",
      currency: "BRL",
      placedAt: "2026-03-01T15:00:00.000Z",
      updatedAt: "2026-03-02T15:00:00.000Z",
    });
    expect(toOrderSnapshot({ ...order, customer: null, status: "cancelled", cancelled_at: "2026-03-03T10:00:00+0000" })).toMatchObject({ customerId: null, closed: false, cancelledAt: "2026-03-03T10:00:00.000Z" });
    expect(() => toOrderSnapshot({ ...order, total: "12,90" })).toThrow(/total/);
    expect(() => toOrderSnapshot({ ...order, created_at: "soon" })).toThrow(/date/);
  });
});

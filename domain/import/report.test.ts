import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rejectedRowCells, spreadsheetSafe } from "./report";

describe("spreadsheetSafe", () => {
  it.each(["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])("neutralises %j", (cell) => {
    expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
  });

  it("leaves ordinary cells alone", () => {
    for (const cell of ["ana@example.com", "1.234,56", "João", "", "120"]) expect(spreadsheetSafe(cell)).toBe(cell);
  });

  it("never lets a cell start with a formula character", () => {
    fc.assert(
      fc.property(fc.string(), (cell) => {
        expect(/^[=+\-@\t\r]/.test(spreadsheetSafe(cell))).toBe(false);
      }),
    );
  });
});

describe("rejectedRowCells", () => {
  it("puts the row number and reasons first, then the original cells in header order", () => {
    expect(rejectedRowCells(7, "E-mail is not valid", ["email", "points"], { points: "-5", email: "ana@" })).toEqual([
      "7",
      "E-mail is not valid",
      "ana@",
      "'-5",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { addOrders, addRecords, ApplyForm, emptyPlanFigures, pilotInput, pilotOf, pilotText, type PlanRecord } from "./apply-step";

describe("the Apply step's pilot", () => {
  it("reads a percentage or a number of members, and refuses anything else", () => {
    expect(pilotOf({ scope: "pilot", pilot: "10%" })).toEqual({ percent: 10 });
    expect(pilotOf({ scope: "pilot", pilot: "25" })).toEqual({ count: 25 });
    expect(pilotOf({ scope: "pilot", pilot: pilotInput("percent", " 2,5 ") })).toEqual({ percent: 2.5 });
    expect(pilotOf({ scope: "pilot", pilot: "0%" })).toBe("invalid");
    expect(pilotOf({ scope: "pilot", pilot: "101%" })).toBe("invalid");
    expect(pilotOf({ scope: "pilot", pilot: "0" })).toBe("invalid");
    expect(pilotOf({ scope: "pilot", pilot: "2.5" })).toBe("invalid");
    expect(pilotOf({ scope: "pilot", pilot: "ten" })).toBe("invalid");
    expect(pilotOf({ scope: "pilot" })).toBe("invalid");
    // "Everything" ignores whatever the pilot field holds.
    expect(pilotOf({ scope: "all", pilot: "ten" })).toBeNull();
  });

  it("writes a pilot back as the form takes it", () => {
    expect(pilotText({ percent: 10 })).toBe("10%");
    expect(pilotText({ count: 25 })).toBe("25");
    expect(pilotText(null)).toBe("");
    expect(pilotInput("count", "25")).toBe("25");
  });

  it("parses the form's intents and refuses unknown ones", () => {
    expect(ApplyForm.parse({ intent: "plan", scope: "pilot", pilot: "10%" })).toMatchObject({ intent: "plan", scope: "pilot" });
    expect(ApplyForm.parse({ intent: "retry" })).toMatchObject({ intent: "retry", scope: "all" });
    expect(ApplyForm.safeParse({ intent: "delete" }).success).toBe(false);
  });
});

describe("the confirmation's figures", () => {
  const r = (cls: PlanRecord["cls"], points: number, credited = false, hasMember = false): PlanRecord => ({ cls, points, credited, hasMember });

  it("count what apply writes: credited points, members without points, pending members, and what an earlier run wrote", () => {
    const f = addRecords(emptyPlanFigures(), [
      r("matched", 100),
      r("matched", 250, false, true), // an existing member (another migration) is credited too
      r("matched", 0), // member created, no entry
      r("matched", 0, false, true), // member exists already: nothing at all
      r("matched", 40, true, true), // the pilot wrote it: a duplicate
      r("pending", 30),
      r("pending", 0), // a pending member with nothing to hold
      r("pending", 70, true, true),
    ]);
    expect(f.credit).toEqual({ members: 2, points: 350 });
    expect(f.zeroPoints).toBe(1);
    expect(f.pending).toEqual({ members: 2, points: 30 });
    expect(f.alreadyApplied).toEqual({ records: 2, points: 110 });
  });

  it("count retroactive orders not credited yet, and their distinct customers", () => {
    const f = addOrders(emptyPlanFigures(), [
      { customerId: "a", points: 10, credited: false },
      { customerId: "a", points: 5, credited: false },
      { customerId: "b", points: 7, credited: true },
      { customerId: "c", points: 1, credited: false },
    ]);
    expect(f.retroactive).toEqual({ orders: 3, points: 16, customers: 2 });
  });
});

import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { PolarisVizProvider } from "@shopify/polaris-viz";
import { AppProvider } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n/react";
import { PointsByClassChart } from "./PointsByClassChart";
import { RestoresChart } from "./RestoresChart";

// The admin renders every screen on the server first. polaris-viz cannot (it reads `navigator`), so
// the charts must render their title, summary and data table there, and draw only once mounted.

function render(node: ReturnType<typeof h>, locale: "en" | "pt-BR" = "en") {
  return renderToString(h(AppProvider, { i18n: polarisEn }, h(PolarisVizProvider, null, h(I18nProvider, { locale, children: node }))));
}

describe("charts on the server", () => {
  it("the classes chart renders its text alternative (title, summary, table) without drawing", () => {
    const html = render(
      h(PointsByClassChart, {
        title: "Where the points went",
        summary: "Most points are on the store.",
        classColumn: "Class",
        pointsColumn: "Points",
        shareColumn: "Share",
        slices: [
          { key: "credited", label: "Credited", points: 7500 },
          { key: "pending", label: "Pending", points: 1500 },
          { key: "conflict", label: "To review", points: 500 },
          { key: "rejected", label: "Rejected", points: 500 },
        ],
      }),
    );
    expect(html).toContain("Where the points went");
    expect(html).toContain("Most points are on the store.");
    expect(html).toMatch(/<th scope="row">Credited<\/th><td>7,500<\/td><td>75%<\/td>/);
    expect(html).toMatch(/<th scope="row">Rejected<\/th><td>500<\/td><td>5%<\/td>/);
    expect(html).toContain('data-chart-ready="no"');
    expect(html).not.toContain("<svg");
  });

  it("the restores chart writes its days and figures in the admin's language", () => {
    const html = render(
      h(RestoresChart, {
        title: "Restaurados por dia",
        summary: "3 membros restaurados.",
        periodColumn: "Dia",
        membersColumn: "Membros",
        pointsColumn: "Pontos",
        bars: [
          { start: "2026-10-01", members: 2, points: 1200 },
          { start: "2026-10-02", members: 0, points: 0 },
          { start: "2026-10-03", members: 1, points: 1500 },
        ],
      }),
      "pt-BR",
    );
    expect(html).toMatch(/<th scope="row">1 de out\.? de 2026<\/th><td>2<\/td><td>1\.200<\/td>/);
    expect(html).toMatch(/<th scope="row">3 de out\.? de 2026<\/th><td>1<\/td><td>1\.500<\/td>/);
    expect(html).not.toContain("<svg");
  });

  it("an empty chart still renders (no data yet)", () => {
    const html = render(h(RestoresChart, { title: "Restored per day", summary: "None yet.", periodColumn: "Day", membersColumn: "Members", pointsColumn: "Points", bars: [] }));
    expect(html).toContain("None yet.");
  });
});

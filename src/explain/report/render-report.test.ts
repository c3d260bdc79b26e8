import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readGoldenJson } from "../../../test/support/golden.ts";
import { strategistFixture } from "../../../test/support/strategist-fixture.ts";
import { plateauOf, plateauText } from "./heatmap.ts";
import { renderReportHtml } from "./render-report.ts";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "../../../test/golden/report-structure.json");

/** The report's skeleton: sections, headings, table headers and row counts, chart containers */
function structureOf(html: string) {
  const sections = [...html.matchAll(/<section id="([^"]+)"><h2>([^<]*)/g)].map((m) => `${m[1]}: ${m[2]}`);
  const tables = [
    ...html.matchAll(/<table class="([^"]+)"><thead><tr>(.*?)<\/tr><\/thead><tbody>([\s\S]*?)<\/tbody>/g),
  ].map((m) => ({
    class: m[1],
    head: [...m[2]!.matchAll(/<th>([^<]*)<\/th>/g)].map((h) => h[1]),
    rows: (m[3]!.match(/<tr>/g) ?? []).length,
  }));
  const charts = [...html.matchAll(/<div class="chart" id="([^"]+)">/g)].map((m) => m[1]);
  const signals = [...html.matchAll(/<div class="signal (\w+)" data-symbol="([^"]+)">/g)].map(
    (m) => `${m[2]} ${m[1]}`,
  );
  return { sections, tables, charts, signals };
}

describe("renderReportHtml", () => {
  const data = strategistFixture();
  const html = renderReportHtml(data, "/* chart library */");

  it("keeps the golden structure", () => {
    const got = structureOf(html);
    expect(got).toEqual(readGoldenJson(GOLDEN, got));
  });

  it("is self-contained: no external script, style, image or link", () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(/);
    expect(html.match(/<script/g)).toHaveLength(3);
  });

  it("says every explanation paragraph and the bar it is computed at", () => {
    for (const e of data.explanations) {
      expect(html).toContain(e.record.barTime);
      expect(html).toContain(e.paragraph.slice(0, 60));
    }
    expect(html).toContain(data.headline);
  });

  it("keeps a hostile string inert", () => {
    const evil = renderReportHtml(
      { ...data, title: "</script><script>alert(1)</script>" },
      "var x = '</script>';",
    );
    expect(evil).not.toContain("<script>alert(1)");
    expect(evil).toContain("var x = '<\\/script>';");
  });
});

describe("plateauOf", () => {
  const base = {
    family: "f",
    symbol: "s",
    metric: "m",
    xName: "x",
    yName: "y",
    xs: [1, 2, 3],
    ys: [1, 2, 3],
  };
  it("calls a best cell with good neighbours a plateau and a lone peak a spike", () => {
    expect(
      plateauOf({
        ...base,
        z: [
          [1, 1, 1],
          [1, 1.5, 1],
          [1, 1, 1],
        ],
      }),
    ).toMatchObject({ verdict: "plateau", neighbourMean: 1, best: { x: 2, y: 2, value: 1.5 } });
    expect(
      plateauOf({
        ...base,
        z: [
          [0, 0, 0],
          [0, 2, 0.2],
          [0, null, 0],
        ],
      }),
    ).toMatchObject({ verdict: "spike", neighbourMean: 0.2 / 7 });
  });

  it("widens the ring around a best cell whose direct neighbours were not tried, and never prints 'a n/a'", () => {
    const sparse = {
      ...base,
      xs: [1, 2, 3, 4, 5],
      ys: [1, 2, 3, 4, 5],
      z: [
        [1.8, null, null, null, 2.0],
        [null, null, null, null, null],
        [null, null, null, null, null],
        [null, null, null, null, null],
        [1.9, null, 0.1, null, null],
      ],
    };
    // the best (2.0 at x 5, y 1) has no tried neighbour at distance 1; at distance 4 it has three
    expect(plateauOf(sparse)).toMatchObject({ verdict: "plateau", neighbours: 3 });
    expect(plateauText(sparse)).toBe(
      "best x 5, y 1 at 2.00; the 3 nearest tried cells average 1.27, at least half of it: a plateau (robust)",
    );
    const lonely = {
      ...base,
      z: [
        [1, null, null],
        [null, null, null],
        [null, null, 0.2],
      ],
    };
    expect(plateauText(lonely)).toContain("too few to tell a plateau from a spike");
    const negative = {
      ...base,
      z: [
        [-1, -1, -1],
        [-1, -0.5, -1],
        [-1, -1, -1],
      ],
    };
    expect(plateauText(negative)).toContain("no cell is positive");
    for (const h of [sparse, lonely, negative]) expect(plateauText(h)).not.toContain("a n/a");
  });
});

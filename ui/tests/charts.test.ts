import { afterEach, describe, expect, it, vi } from "vitest";
import { drawDailyChart, type DailyChartSpec } from "../src/lib/charts";

type Options = {
  series: Array<{ label?: string; value?: (u: unknown, raw: number | null, series: number, idx: number | null) => string }>;
  axes: Array<{ values?: (u: unknown, splits: number[]) => string[] }>;
};

// uPlot needs a canvas, which jsdom does not have; the mock records what it was given and the
// language the page reported while uPlot's module was being evaluated.
const seen = vi.hoisted(() => ({ language: "", plots: [] as Array<{ options: Options; data: unknown[][]; destroyed: boolean; width: number }> }));
vi.mock("uplot", () => {
  seen.language = navigator.language;
  class Plot {
    static paths = { bars: () => () => null };
    readonly #record: (typeof seen.plots)[number];
    constructor(options: Options & { width: number }, data: unknown[][]) {
      this.#record = { options, data, destroyed: false, width: options.width };
      seen.plots.push(this.#record);
    }
    setSize(size: { width: number }): void {
      this.#record.width = size.width;
    }
    destroy(): void {
      this.#record.destroyed = true;
    }
  }
  return { default: Plot };
});

const SPEC: DailyChartSpec = {
  days: ["Mar 1", "Mar 2", "Mar 3"],
  series: [
    { label: "Input tokens", values: [10, 0, 30], color: "#123456" },
    { label: "Estimated cost", values: [0.5, null, 0], color: "#654321", bars: true },
  ],
  width: 500,
  height: 200,
  formatValue: (value) => `v${value}`,
  formatAxis: (value) => `a${value}`,
  axisColor: "#111111",
  gridColor: "#222222",
  none: "—",
  dayLabel: "Day",
};

afterEach(() => {
  Reflect.deleteProperty(navigator, "language");
});

describe("drawDailyChart", () => {
  it("loads uPlot even where the webview reports a POSIX locale, and leaves the language as it was", async () => {
    Object.defineProperty(navigator, "language", { configurable: true, get: () => "C" });
    const chart = await drawDailyChart(document.createElement("div"), SPEC);
    expect(seen.language).toBe("en-US");
    expect(navigator.language).toBe("C");
    chart.destroy();
  });

  it("draws one point per day with Cairn's own labels and formats", async () => {
    seen.plots.length = 0;
    const chart = await drawDailyChart(document.createElement("div"), SPEC);
    const [plot] = seen.plots;
    expect(plot.data).toEqual([[0, 1, 2], [10, 0, 30], [0.5, null, 0]]);
    expect(plot.options.series.map((s) => s.label)).toEqual(["Day", "Input tokens", "Estimated cost"]);
    const legend = plot.options.series[2].value!;
    expect(legend(null, 0.5, 2, 0)).toBe("v0.5");
    expect(legend(null, null, 2, 1)).toBe("—");
    expect(legend(null, null, 2, null)).toBe("");
    expect(plot.options.series[0].value!(null, 1, 0, 1)).toBe("Mar 2");
    expect(plot.options.axes[0].values!(null, [0, 1, 2])).toEqual(["Mar 1", "Mar 2", "Mar 3"]);
    expect(plot.options.axes[1].values!(null, [0, 10])).toEqual(["a0", "a10"]);
    chart.resize(320);
    expect(plot.width).toBe(320);
    chart.destroy();
    expect(plot.destroyed).toBe(true);
  });
});

// Charts drawn with uPlot (a small canvas library: no eval, no inline scripts; it sets inline
// styles, which Cairn's CSP allows). Loaded only when the Activity view first draws a chart, so
// the main bundle stays small. Only this module knows uPlot.
import type uPlot from "uplot";

type UPlot = typeof uPlot;

let library: Promise<UPlot> | null = null;

/** Whether `tag` is a language tag Intl accepts (a POSIX locale such as "C" is not). */
function validLanguage(tag: string | undefined): boolean {
  if (!tag) return false;
  try {
    return Intl.getCanonicalLocales(tag).length > 0;
  } catch {
    return false;
  }
}

/**
 * Imports uPlot. It makes an `Intl.NumberFormat(navigator.language)` as it loads, which throws
 * where the webview reports a POSIX locale (WebKitGTK says "C" under LANG=C.UTF-8); a valid tag
 * stands in while it loads. Cairn formats every number the charts show itself.
 */
async function importUplot(): Promise<UPlot> {
  const stand = typeof navigator !== "undefined" && !validLanguage(navigator.language);
  const own = stand ? Object.getOwnPropertyDescriptor(navigator, "language") : undefined;
  if (stand) Object.defineProperty(navigator, "language", { configurable: true, get: () => "en-US" });
  try {
    const [module] = await Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]);
    return module.default;
  } finally {
    if (own) Object.defineProperty(navigator, "language", own);
    else if (stand) Reflect.deleteProperty(navigator, "language");
  }
}

function loadUplot(): Promise<UPlot> {
  library ??= importUplot();
  // A failed load (e.g. a chunk that could not be read) may be tried again later.
  library.catch(() => {
    library = null;
  });
  return library;
}

/** One line (or bars) of a chart. */
export type ChartSeries = {
  label: string;
  values: Array<number | null>;
  /** Any CSS color (read from the theme's variables by the caller). */
  color: string;
  bars?: boolean;
};

/** A chart with one point per day. */
export type DailyChartSpec = {
  /** The x axis's labels, one per day, already in the reader's words. */
  days: string[];
  series: ChartSeries[];
  width: number;
  height: number;
  /** The legend's value under the pointer. */
  formatValue: (value: number) => string;
  /** The y axis's ticks. */
  formatAxis: (value: number) => string;
  /** Axis text and grid lines. */
  axisColor: string;
  gridColor: string;
  /** What the legend says when a value is unknown. */
  none: string;
  /** The legend's name for the day under the pointer. */
  dayLabel: string;
};

export type Chart = {
  resize(width: number): void;
  destroy(): void;
};

/** Tick steps, in days, the x axis may use (about 70 px apart at least). */
const DAY_STEPS = [1, 2, 7, 14, 28, 56, 91, 182, 364];

/** Draws `spec` into `target` (emptied first). */
export async function drawDailyChart(target: HTMLElement, spec: DailyChartSpec): Promise<Chart> {
  const UPlot = await loadUplot();
  const count = spec.days.length;
  const index = Array.from({ length: count }, (_, i) => i);
  const bars = UPlot.paths.bars?.({ size: [0.7, 48] });
  const options: uPlot.Options = {
    width: spec.width,
    height: spec.height,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false, setScale: false } },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(count - 0.5, 0.5)] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    series: [
      { label: spec.dayLabel, value: (_u, raw) => (raw === null || raw === undefined ? "" : (spec.days[raw] ?? "")) },
      ...spec.series.map<uPlot.Series>((series) => ({
        label: series.label,
        stroke: series.color,
        fill: series.bars ? series.color : undefined,
        width: series.bars ? 0 : 2,
        paths: series.bars ? bars : undefined,
        points: { show: !series.bars && count <= 62 },
        // No day under the pointer: nothing; a day without a known value: "—".
        value: (_u, raw, _series, idx) =>
          idx === null || idx === undefined ? "" : raw === null || raw === undefined ? spec.none : spec.formatValue(raw),
      })),
    ],
    axes: [
      {
        stroke: spec.axisColor,
        grid: { show: false },
        ticks: { stroke: spec.gridColor },
        incrs: DAY_STEPS,
        space: 70,
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (spec.days[i] ?? "") : "")),
      },
      {
        stroke: spec.axisColor,
        grid: { stroke: spec.gridColor },
        ticks: { stroke: spec.gridColor },
        // Wide enough for the longest tick ("US$0.20" in zh-TW), at about 7.5 px a character.
        size: (_u, values) => Math.ceil(18 + Math.max(3, ...(values ?? []).map((v) => String(v).length)) * 7.5),
        values: (_u, splits) => splits.map((v) => spec.formatAxis(v)),
      },
    ],
  };
  target.replaceChildren();
  const plot = new UPlot(options, [index, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, target);
  return {
    resize: (width) => plot.setSize({ width, height: spec.height }),
    destroy: () => plot.destroy(),
  };
}

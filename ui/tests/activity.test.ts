import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { ActivityLog } from "../src/lib/features/activity/activity.svelte";
import ActivityView from "../src/lib/features/activity/ActivityView.svelte";
import {
  customFrom,
  dailySeries,
  DEFAULT_FILTERS,
  rangeProblem,
  toActivityFilter,
  type Filters,
} from "../src/lib/features/activity/filters";
import { costAttribute, formatMs, modelNamer } from "../src/lib/features/activity/format";
import { checkDraft, draftFrom, loggingOff } from "../src/lib/features/activity/logging";
import { LoggingSettings } from "../src/lib/features/activity/logging.svelte";
import { checkRetention } from "../src/lib/features/activity/retention";
import { RetentionSettings } from "../src/lib/features/activity/retention.svelte";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type {
  ActivityEntry,
  ActivityFilter,
  ActivitySummary,
  InvocationLogging,
  ModelOption,
} from "../src/lib/ipc";
import { allByTestId, byTestId, render, settle, type, unmountAll } from "./dom";
import { mockBackend, type Call } from "./ipc-mock";

// uPlot draws on a canvas, which jsdom does not have: every chart made is recorded instead.
type FakePlot = { options: { series: Array<{ label?: string }> }; data: unknown[][]; target: HTMLElement; destroyed: boolean };
const plots = vi.hoisted(() => [] as FakePlot[]);
vi.mock("uplot", () => {
  class Plot {
    static paths = { bars: () => () => null };
    readonly #record: FakePlot;
    constructor(options: FakePlot["options"], data: unknown[][], target: HTMLElement) {
      this.#record = { options, data, target, destroyed: false };
      plots.push(this.#record);
    }
    setSize(): void {}
    destroy(): void {
      this.#record.destroyed = true;
    }
  }
  return { default: Plot };
});

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const MODELS: ModelOption[] = [
  { modelId: SONNET, invocationId: `global.${SONNET}`, name: "Claude Sonnet 4.5", lifecycle: "ACTIVE", endpoint: "global" },
];

/** 2026-03-15 10:00 local time. */
const NOW = new Date(2026, 2, 15, 10, 0, 0);
const localMidnight = (year: number, month: number, day: number) => new Date(year, month - 1, day).toISOString();

function entry(over: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    id: 1,
    at: "2026-03-14T09:30:00Z",
    connectionId: "c-1",
    connectionName: "Work",
    account: "123456789012",
    region: "us-west-2",
    modelId: SONNET,
    invocationId: `global.${SONNET}`,
    api: "converse",
    endpoint: "global",
    inputTokens: 1200,
    outputTokens: 340,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0.0087,
    firstTokenMs: 420,
    durationMs: 2350,
    outcome: "complete",
    errorKind: null,
    excerpt: null,
    ...over,
  };
}

const ENTRIES: ActivityEntry[] = [
  entry(),
  entry({
    id: 2,
    at: "2026-03-13T08:00:00Z",
    modelId: HAIKU,
    invocationId: `us.${HAIKU}`,
    api: "invokeModel",
    endpoint: "regional",
    inputTokens: 50,
    outputTokens: 0,
    costUsd: null,
    firstTokenMs: null,
    durationMs: 800,
    outcome: "failed",
    errorKind: "throttled",
  }),
];

function summary(over: Partial<ActivitySummary> = {}): ActivitySummary {
  return {
    totals: {
      calls: 2,
      failed: 1,
      inputTokens: 1250,
      outputTokens: 340,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.0087,
    },
    perDay: [
      { key: "2026-03-13", calls: 1, inputTokens: 50, outputTokens: 0, costUsd: null },
      { key: "2026-03-14", calls: 1, inputTokens: 1200, outputTokens: 340, costUsd: 0.0087 },
    ],
    perModel: [
      { key: HAIKU, calls: 1, inputTokens: 50, outputTokens: 0, costUsd: null },
      { key: SONNET, calls: 1, inputTokens: 1200, outputTokens: 340, costUsd: 0.0087 },
    ],
    connections: [["c-1", "Work"], ["demo", "Demo"]],
    models: [SONNET, HAIKU],
    ...over,
  };
}

const LOGGING_OFF: InvocationLogging = { cloudWatch: null, s3: null, text: false, image: false, embedding: false, video: false };
const LOGGING_ON: InvocationLogging = {
  cloudWatch: { logGroupName: "/bedrock/invocations", roleArn: "arn:aws:iam::123456789012:role/BedrockLogging" },
  s3: { bucketName: "team-bedrock-logs", keyPrefix: "cairn/" },
  text: true,
  image: true,
  embedding: false,
  video: false,
};

type Handlers = Record<string, (args: unknown) => unknown>;

function backend(extra: Handlers = {}): Call[] {
  return mockBackend({
    activity_list: () => ENTRIES,
    activity_summary: () => summary(),
    activity_settings: () => ({ retentionDays: 90, excerpts: false }),
    invocation_logging: () => LOGGING_OFF,
    ...extra,
  });
}

function filtersOf(calls: Call[], cmd: string): ActivityFilter[] {
  return calls.filter((c) => c.cmd === cmd).map((c) => (c.args as { filter: ActivityFilter }).filter);
}

function one<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T {
  const found = byTestId<T>(root, id);
  if (!found) throw new Error(`no element with data-testid=${id}`);
  return found;
}

function choose(select: HTMLSelectElement | HTMLInputElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

function check(box: HTMLInputElement, checked: boolean): void {
  box.checked = checked;
  box.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

function click(element: HTMLElement): void {
  element.click();
  flushSync();
}

type Parts = { activity: ActivityLog; retention: RetentionSettings; logging: LoggingSettings };

/** The Activity view on its own, as App wires it. */
async function openView(parts: Partial<Parts> = {}): Promise<HTMLElement & { parts: Parts }> {
  const activity = parts.activity ?? new ActivityLog(() => NOW);
  const all: Parts = {
    activity,
    retention: parts.retention ?? new RetentionSettings(() => activity.load()),
    logging: parts.logging ?? new LoggingSettings(),
  };
  const root = render(ActivityView, {
    ...all,
    modelName: modelNamer(MODELS),
    connectionName: "Work",
    region: "us-west-2",
  });
  await settle();
  return Object.assign(root, { parts: all });
}

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
  plots.length = 0;
});

afterEach(() => {
  unmountAll();
  clearMocks();
  setLocale("en");
  vi.useRealTimers();
});

describe("filters → ActivityFilter", () => {
  const filters = (over: Partial<Filters>): Filters => ({ ...DEFAULT_FILTERS, ...over });

  it("starts at the last 30 days, open-ended, with every connection, model and outcome", () => {
    expect(toActivityFilter(DEFAULT_FILTERS, NOW)).toEqual({
      from: localMidnight(2026, 2, 14),
      to: null,
      connectionId: null,
      modelId: null,
      outcome: null,
    });
  });

  it("counts the presets in local calendar days, today included", () => {
    expect(toActivityFilter(filters({ range: "last7" }), NOW).from).toBe(localMidnight(2026, 3, 9));
    expect(toActivityFilter(filters({ range: "last90" }), NOW).from).toBe(localMidnight(2025, 12, 16));
    expect(toActivityFilter(filters({ range: "thisYear" }), NOW).from).toBe(localMidnight(2026, 1, 1));
  });

  it("sends a custom range with its last day included (to = the next midnight)", () => {
    const custom = filters({ range: "custom", from: "2026-02-01", to: "2026-02-28", connectionId: "c-1", modelId: SONNET, outcome: "failed" });
    expect(toActivityFilter(custom, NOW)).toEqual({
      from: localMidnight(2026, 2, 1),
      to: localMidnight(2026, 3, 1),
      connectionId: "c-1",
      modelId: SONNET,
      outcome: "failed",
    });
    expect(toActivityFilter(filters({ range: "custom", from: "", to: "" }), NOW)).toMatchObject({ from: null, to: null });
  });

  it("reports a custom range that cannot be used", () => {
    expect(rangeProblem(filters({ range: "custom", from: "2026-03-10", to: "2026-03-01" }))).toBe("order");
    expect(rangeProblem(filters({ range: "custom", from: "2026-02-30" }))).toBe("fromInvalid");
    expect(rangeProblem(filters({ range: "custom", from: "2026-03-01", to: "2026-03-01" }))).toBeNull();
    expect(rangeProblem(filters({ range: "last7", from: "nonsense" }))).toBeNull();
  });

  it("starts a custom range from the preset shown so far", () => {
    expect(customFrom(filters({ range: "last7" }), NOW)).toEqual({ from: "2026-03-09", to: "2026-03-15" });
  });

  it("lays the per-day sums out day by day, with zeros between", () => {
    const series = dailySeries(
      [
        { key: "2026-03-02", calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.5 },
        { key: "2026-03-04", calls: 2, inputTokens: 20, outputTokens: 7, costUsd: null },
      ],
      { from: new Date(Date.UTC(2026, 2, 1, 12)), to: null },
      new Date(Date.UTC(2026, 2, 5, 12)),
    );
    expect(series.days).toEqual(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
    expect(series.input).toEqual([0, 10, 0, 20, 0]);
    expect(series.output).toEqual([0, 5, 0, 7, 0]);
    expect(series.cost).toEqual([0, 0.5, 0, null, 0]);
    expect(dailySeries([], { from: null, to: null }, NOW).days).toEqual([]);
  });

  it("formats what the table shows", () => {
    expect(costAttribute(0.0087)).toBe("0.008700");
    expect(costAttribute(null)).toBe("");
    expect(formatMs(420)).toBe("420 ms");
    expect(formatMs(2350)).toBe("2.35 s");
    expect(formatMs(null)).toBe("—");
    expect(modelNamer(MODELS)(SONNET)).toBe("Claude Sonnet 4.5");
    expect(modelNamer(MODELS)("anthropic.unknown")).toBe("anthropic.unknown");
  });
});

describe("Activity view", () => {
  it("is reached from the header, next to Chat and Models", async () => {
    const calls = mockBackend({
      app_status: () => ({ mode: "aws", connectionId: "c-1", connectionName: "Work", region: "us-west-2", simulatorEndpoint: null, startupError: null }),
      list_models: () => MODELS,
      list_conversations: () => [],
      model_table: () => Promise.reject({ kind: "network", message: "offline" }),
      activity_list: () => ENTRIES,
      activity_summary: () => summary(),
      activity_settings: () => ({ retentionDays: 90, excerpts: false }),
      invocation_logging: () => LOGGING_OFF,
    });
    const target = document.createElement("div");
    document.body.append(target);
    mount(App, { target, props: {} });
    await settle();
    const nav = one<HTMLButtonElement>(target, "nav-activity");
    expect(nav.textContent?.trim()).toBe("Activity");
    expect(nav.previousElementSibling?.getAttribute("data-testid")).toBe("nav-models");
    click(nav);
    await settle(10);
    expect(nav.getAttribute("aria-current")).toBe("page");
    expect(one(target, "activity-view")).toBeTruthy();
    expect(target.querySelector<HTMLElement>(".body")?.hidden).toBe(true);
    expect(allByTestId(target, "activity-row")).toHaveLength(2);
    // The chat's model list names the model; the logging panel names the active connection.
    expect(allByTestId(target, "activity-row")[0].textContent).toContain("Claude Sonnet 4.5");
    expect(one(target, "logging-scope").textContent).toContain("Work");
    expect(calls.some((c) => c.cmd === "invocation_logging")).toBe(true);

    click(one(target, "nav-chat"));
    expect(byTestId(target, "activity-view")).toBeNull();
  });

  it("loads with the default filter and shows the totals and the calls", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
    const calls = backend();
    const root = await openView({ activity: new ActivityLog() });

    expect(filtersOf(calls, "activity_list")).toEqual([
      { from: localMidnight(2026, 2, 14), to: null, connectionId: null, modelId: null, outcome: null },
    ]);
    expect(calls.find((c) => c.cmd === "activity_list")?.args).toMatchObject({ offset: 0 });
    expect(filtersOf(calls, "activity_summary")).toEqual(filtersOf(calls, "activity_list"));

    const totals = one(root, "activity-totals");
    const total = (id: string) => totals.querySelector(`[data-total="${id}"] dd`)?.textContent?.trim();
    expect(total("calls")).toBe("2");
    expect(total("failed")).toBe("1");
    expect(total("input")).toBe("1,250");
    expect(total("output")).toBe("340");
    expect(total("cost")).toBe("≈ $0.0087");
    expect(totals.textContent).toContain("Estimated cost");
    expect(totals.querySelector('[data-total="cacheRead"]')).toBeNull();

    const rows = allByTestId(root, "activity-row");
    expect(rows.map((r) => r.dataset.cost)).toEqual(["0.008700", ""]);
    const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((td) => td.textContent?.replace(/\s+/g, " ").trim());
    const [first, second] = rows.map(cells);
    expect(first[1]).toContain("Work");
    expect(first[2]).toContain("Claude Sonnet 4.5");
    expect(first[3]).toBe("Converse");
    expect(first[4]).toBe("Global");
    expect(first[5]).toBe("1,200 in · 340 out");
    expect(first[6]).toBe("$0.0087");
    expect(first[7]).toBe("420 ms");
    expect(first[8]).toBe("2.35 s");
    expect(first[9]).toBe("Completed");
    expect(rows[0].querySelector("time")?.getAttribute("datetime")).toBe("2026-03-14T09:30:00Z");
    // An unknown model is shown by its ID; the failure's kind in the chat's plain words.
    expect(second[2]).toContain(HAIKU);
    expect(second[3]).toBe("InvokeModel");
    expect(second[4]).toBe("Regional");
    expect(second[6]).toBe("—");
    expect(second[7]).toBe("—");
    expect(second[9]).toContain("Failed");
    expect(one(rows[1], "activity-error").textContent).toBe("Amazon Bedrock is limiting requests right now (throttling).");
    expect(byTestId(root, "activity-load-more")).toBeNull();
  });

  it("shows cache tokens only when there are some", async () => {
    backend({
      activity_summary: () => summary({ totals: { ...summary().totals, cacheReadTokens: 5000, cacheWriteTokens: 0 } }),
      activity_list: () => [entry({ cacheReadTokens: 5000 })],
    });
    const root = await openView();
    expect(one(root, "activity-totals").querySelector('[data-total="cacheRead"] dd')?.textContent).toBe("5,000");
    expect(one(root, "activity-totals").querySelector('[data-total="cacheWrite"]')).toBeNull();
    expect(one(root, "activity-row").textContent).toContain("5,000 cache read");
  });

  it("reloads the list and the summary with every change of filter", async () => {
    const calls = backend();
    const root = await openView();
    calls.length = 0;

    choose(one<HTMLSelectElement>(root, "activity-range"), "last7");
    await settle();
    choose(one<HTMLSelectElement>(root, "activity-connection"), "c-1");
    await settle();
    choose(one<HTMLSelectElement>(root, "activity-model"), SONNET);
    await settle();
    choose(one<HTMLSelectElement>(root, "activity-outcome"), "failed");
    await settle();

    const lists = filtersOf(calls, "activity_list");
    expect(lists).toEqual(filtersOf(calls, "activity_summary"));
    expect(lists).toEqual([
      { from: localMidnight(2026, 3, 9), to: null, connectionId: null, modelId: null, outcome: null },
      { from: localMidnight(2026, 3, 9), to: null, connectionId: "c-1", modelId: null, outcome: null },
      { from: localMidnight(2026, 3, 9), to: null, connectionId: "c-1", modelId: SONNET, outcome: null },
      { from: localMidnight(2026, 3, 9), to: null, connectionId: "c-1", modelId: SONNET, outcome: "failed" },
    ]);
    // Model choices are named; connections by their names.
    const modelOptions = [...one<HTMLSelectElement>(root, "activity-model").options].map((o) => o.textContent);
    expect(modelOptions).toEqual(["All models", HAIKU, "Claude Sonnet 4.5"]);
    const connectionOptions = [...one<HTMLSelectElement>(root, "activity-connection").options].map((o) => o.textContent);
    expect(connectionOptions).toEqual(["All connections", "Demo", "Work"]);
  });

  it("takes custom dates, the last day included, and refuses an end before the start", async () => {
    const calls = backend();
    const root = await openView();
    calls.length = 0;

    choose(one<HTMLSelectElement>(root, "activity-range"), "custom");
    await settle();
    expect(one<HTMLInputElement>(root, "activity-from").value).toBe("2026-02-14");
    expect(one<HTMLInputElement>(root, "activity-to").value).toBe("2026-03-15");
    expect(filtersOf(calls, "activity_list").at(-1)).toMatchObject({ from: localMidnight(2026, 2, 14), to: localMidnight(2026, 3, 16) });

    calls.length = 0;
    choose(one<HTMLInputElement>(root, "activity-from"), "2026-03-20");
    await settle();
    expect(one(root, "activity-range-problem").textContent).toBe("The end date is before the start date.");
    expect(one<HTMLInputElement>(root, "activity-from").getAttribute("aria-invalid")).toBe("true");
    expect(filtersOf(calls, "activity_list")).toEqual([]);
    expect(one<HTMLButtonElement>(root, "activity-export").disabled).toBe(true);

    choose(one<HTMLInputElement>(root, "activity-to"), "2026-03-31");
    await settle();
    expect(byTestId(root, "activity-range-problem")).toBeNull();
    expect(filtersOf(calls, "activity_list")).toEqual([
      { from: localMidnight(2026, 3, 20), to: localMidnight(2026, 4, 1), connectionId: null, modelId: null, outcome: null },
    ]);
  });

  it("loads the next page from the number of calls shown", async () => {
    const page = (start: number, count: number) => Array.from({ length: count }, (_, i) => entry({ id: start + i }));
    const calls = backend({
      activity_list: (args) => ((args as { offset: number }).offset === 0 ? page(1, 200) : page(201, 3)),
      activity_summary: () => summary({ totals: { ...summary().totals, calls: 203 } }),
    });
    const root = await openView();
    expect(allByTestId(root, "activity-row")).toHaveLength(200);
    expect(root.textContent).toContain("Showing 200 of 203 calls.");

    click(one(root, "activity-load-more"));
    await settle();
    const lists = calls.filter((c) => c.cmd === "activity_list");
    expect(lists.map((c) => (c.args as { offset: number }).offset)).toEqual([0, 200]);
    expect((lists[1].args as { filter: ActivityFilter }).filter).toEqual((lists[0].args as { filter: ActivityFilter }).filter);
    expect(allByTestId(root, "activity-row")).toHaveLength(203);
    expect(byTestId(root, "activity-load-more")).toBeNull();
    expect(root.textContent).toContain("Showing 203 of 203 calls.");
  });

  it("exports the filtered calls as CSV and says where the file is", async () => {
    const calls = backend({ export_activity_csv: () => "/home/me/Downloads/cairn-activity-2026-03-15.csv" });
    const root = await openView();
    choose(one<HTMLSelectElement>(root, "activity-outcome"), "complete");
    await settle();

    click(one(root, "activity-export"));
    await settle();
    const exported = filtersOf(calls, "export_activity_csv");
    expect(exported).toEqual([filtersOf(calls, "activity_list").at(-1)]);
    expect(exported[0].outcome).toBe("complete");
    expect(one(root, "activity-export-result").textContent).toContain("Saved to /home/me/Downloads/cairn-activity-2026-03-15.csv");
  });

  it("says when the export failed", async () => {
    backend({ export_activity_csv: () => Promise.reject({ kind: "storage", message: "disk full" }) });
    const root = await openView();
    click(one(root, "activity-export"));
    await settle();
    const result = one(root, "activity-export-result");
    expect(result.textContent).toContain("The calls could not be exported.");
    expect(one(result, "error-notice").dataset.kind).toBe("storage");
  });

  it("draws two charts from the per-day sums, with text alternatives", async () => {
    backend();
    const root = await openView();
    await settle();
    expect(plots).toHaveLength(2);
    const [tokens, cost] = plots;
    expect(tokens.options.series.map((s) => s.label)).toEqual(["Day", "Input tokens", "Output tokens"]);
    expect(cost.options.series.map((s) => s.label)).toEqual(["Day", "Estimated cost"]);
    // Day by day from the range's first day (Feb 14, local) to today.
    const days = tokens.data[0].length;
    expect(days).toBeGreaterThanOrEqual(30);
    expect(tokens.data[1].slice(-3)).toEqual([50, 1200, 0]);
    expect(tokens.data[2].slice(-3)).toEqual([0, 340, 0]);
    expect(cost.data[1].slice(-3)).toEqual([null, 0.0087, 0]);

    const charts = allByTestId(root, "activity-chart");
    expect(charts.map((c) => c.dataset.chart)).toEqual(["tokens", "cost"]);
    expect(charts.every((c) => c.dataset.status === "ready")).toBe(true);
    const plot = one(charts[0], "activity-chart-plot");
    expect(plot.getAttribute("role")).toBe("img");
    expect(plot.getAttribute("aria-label")).toContain("1,250 input and 340 output tokens in total");
    expect(plot.getAttribute("aria-label")).toContain("The busiest day was Mar 14, 2026, with 1,540 tokens.");
    expect(one(charts[1], "activity-chart-plot").getAttribute("aria-label")).toContain("$0.0087 in total");
    const table = one(charts[0], "activity-chart-table");
    expect(table.parentElement?.classList.contains("visually-hidden")).toBe(true);
    expect(table.querySelectorAll("tbody tr")).toHaveLength(days);
    expect(table.textContent).toContain("Mar 14, 2026");

    // The per-model breakdown: most expensive first, named when known.
    const models = allByTestId(root, "model-breakdown-row");
    expect(models.map((r) => r.dataset.modelId)).toEqual([SONNET, HAIKU]);
    expect(models[0].textContent).toContain("Claude Sonnet 4.5");

    // A new filter draws new charts and lets the old ones go.
    choose(one<HTMLSelectElement>(root, "activity-range"), "last7");
    await settle();
    expect(plots.slice(0, 2).every((p) => p.destroyed)).toBe(true);
    expect(plots.length).toBe(4);
  });

  it("says so when nothing matches", async () => {
    backend({
      activity_list: () => [],
      activity_summary: () =>
        summary({
          totals: { calls: 0, failed: 0, inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, costUsd: null },
          perDay: [],
          perModel: [],
        }),
    });
    const root = await openView();
    expect(one(root, "activity-empty").textContent).toBe("No calls match these filters.");
    expect(one(root, "activity-totals").querySelector('[data-total="cost"] dd')?.textContent?.trim()).toBe("Unknown");
  });
});

describe("retention", () => {
  it("checks the days inline, never clamping", () => {
    expect(checkRetention("30")).toEqual({ days: 30, problem: null });
    expect(checkRetention(" 365 ")).toEqual({ days: 365, problem: null });
    expect(checkRetention("6")).toEqual({ days: null, problem: "range" });
    expect(checkRetention("366")).toEqual({ days: null, problem: "range" });
    expect(checkRetention("12.5")).toEqual({ days: null, problem: "notNumber" });
    expect(checkRetention("")).toEqual({ days: null, problem: "notNumber" });
  });

  it("refuses days out of range before saving, then saves and says how many calls were removed", async () => {
    const calls = backend({ set_activity_settings: () => 12 });
    const root = await openView();
    const panel = one(root, "activity-retention");
    expect(panel.textContent).toContain(
      "Anthropic recommends keeping at least 30 days of activity to understand usage and investigate misuse.",
    );
    expect(panel.textContent).toContain("Off by default.");
    const days = one<HTMLInputElement>(panel, "retention-days");
    expect(days.value).toBe("90");
    expect(one<HTMLInputElement>(panel, "retention-excerpts").checked).toBe(false);

    type(days, "400");
    expect(one(panel, "retention-problem").textContent?.trim()).toBe("Choose from 7 to 365 days.");
    expect(days.getAttribute("aria-invalid")).toBe("true");
    click(one(panel, "retention-save"));
    await settle();
    expect(calls.some((c) => c.cmd === "set_activity_settings")).toBe(false);

    type(days, "60");
    expect(byTestId(panel, "retention-problem")).toBeNull();
    check(one<HTMLInputElement>(panel, "retention-excerpts"), true);
    calls.length = 0;
    click(one(panel, "retention-save"));
    await settle();
    expect(calls.find((c) => c.cmd === "set_activity_settings")?.args).toEqual({ settings: { retentionDays: 60, excerpts: true } });
    expect(one(panel, "retention-result").textContent?.trim()).toBe("Saved. 12 older calls were removed.");
    // Calls were removed: the view loads them again.
    expect(calls.filter((c) => c.cmd === "activity_list")).toHaveLength(1);
  });

  it("shows the backend's refusal in plain words", async () => {
    backend({ set_activity_settings: () => Promise.reject({ kind: "invalidInput", code: "RetentionOutOfRange", message: "retention must be 7..=365" }) });
    const root = await openView();
    click(one(root, "retention-save"));
    await settle();
    const notice = one(one(root, "activity-retention"), "error-notice");
    expect(notice.dataset.code).toBe("RetentionOutOfRange");
    expect(notice.textContent).toContain("That retention is out of range.");
  });

  it("says when nothing was old enough to remove", async () => {
    backend({ set_activity_settings: () => 0 });
    const root = await openView();
    click(one(root, "retention-save"));
    await settle();
    expect(one(root, "retention-result").textContent?.trim()).toBe("Saved. No calls were old enough to remove.");
  });
});

describe("invocation logging", () => {
  it("turns the form into a configuration, and reports what is missing", () => {
    const draft = { ...draftFrom(null) };
    expect(draft).toMatchObject({ cloudWatch: false, s3: false, text: true, image: false, embedding: false, video: false });
    expect(checkDraft(draft).problems).toEqual({ destination: "noDestination" });
    expect(checkDraft({ ...draft, cloudWatch: true, roleArn: "role" }).problems).toEqual({ logGroupName: "logGroupName", roleArn: "roleArn" });
    expect(checkDraft({ ...draft, s3: true, bucketName: "Bad_Bucket", text: false }).problems).toEqual({ bucketName: "bucketName", data: "noData" });
    expect(checkDraft({ ...draft, s3: true, bucketName: " my-logs ", keyPrefix: " " }).logging).toEqual({
      cloudWatch: null,
      s3: { bucketName: "my-logs", keyPrefix: null },
      text: true,
      image: false,
      embedding: false,
      video: false,
    });
    expect(draftFrom(LOGGING_ON)).toMatchObject({ cloudWatch: true, logGroupName: "/bedrock/invocations", s3: true, keyPrefix: "cairn/", image: true });
    expect(loggingOff(LOGGING_ON)).toMatchObject({ cloudWatch: null, s3: null });
  });

  it("says plainly that logging is off, and turns it on with CloudWatch Logs", async () => {
    const calls = backend({ set_invocation_logging: (args) => (args as { logging: InvocationLogging }).logging });
    const root = await openView();
    const panel = one(root, "invocation-logging");
    expect(one(panel, "logging-status").dataset.state).toBe("off");
    expect(panel.textContent).toContain("Amazon Bedrock does not log model calls in this account and region.");
    expect(one(panel, "logging-scope").textContent).toContain("us-west-2");

    click(one(panel, "logging-change"));
    const form = one(panel, "logging-form");
    expect(form.textContent).toContain("gives neither AWS nor Anthropic access to the content");
    expect(form.textContent).toContain("Logging covers model calls through bedrock-runtime only.");
    const types = allByTestId<HTMLInputElement>(form, "logging-type");
    expect(types.map((b) => [b.dataset.type, b.checked])).toEqual([
      ["text", true],
      ["image", false],
      ["embedding", false],
      ["video", false],
    ]);

    // Nothing chosen: the form says so and nothing is sent.
    click(one(form, "logging-save"));
    await settle();
    expect(allByTestId(form, "logging-problem").map((p) => p.dataset.field)).toEqual(["destination"]);
    expect(calls.some((c) => c.cmd === "set_invocation_logging")).toBe(false);

    // Each destination's notes come with its fields.
    check(one<HTMLInputElement>(form, "logging-s3-on"), true);
    expect(form.textContent).toContain("documents and images sent through Converse are stored in the bucket too");
    check(one<HTMLInputElement>(form, "logging-s3-on"), false);
    check(one<HTMLInputElement>(form, "logging-cloudwatch-on"), true);
    expect(form.textContent).toContain("Keep the log group's retention at 30 days or more");
    expect(form.textContent).toContain("Bedrock does not set it");
    type(one<HTMLInputElement>(form, "logging-log-group"), "/bedrock/invocations");
    type(one<HTMLInputElement>(form, "logging-role-arn"), "not-an-arn");
    click(one(form, "logging-save"));
    await settle();
    expect(allByTestId(form, "logging-problem").map((p) => p.dataset.field)).toEqual(["roleArn"]);
    expect(document.activeElement).toBe(one(form, "logging-role-arn"));

    type(one<HTMLInputElement>(form, "logging-role-arn"), "arn:aws:iam::123456789012:role/BedrockLogging");
    check(types[1], true);
    click(one(form, "logging-save"));
    await settle();
    expect(calls.find((c) => c.cmd === "set_invocation_logging")?.args).toEqual({
      logging: {
        cloudWatch: { logGroupName: "/bedrock/invocations", roleArn: "arn:aws:iam::123456789012:role/BedrockLogging" },
        s3: null,
        text: true,
        image: true,
        embedding: false,
        video: false,
      },
    });
    expect(byTestId(panel, "logging-form")).toBeNull();
    expect(one(panel, "logging-status").dataset.state).toBe("on");
    expect(one(panel, "logging-notice").dataset.notice).toBe("saved");
    expect(document.activeElement).toBe(one(panel, "logging-change"));
  });

  it("describes logging that is on, and turns it off after asking", async () => {
    const calls = backend({
      invocation_logging: () => LOGGING_ON,
      set_invocation_logging: (args) => (args as { logging: InvocationLogging }).logging,
    });
    const root = await openView();
    const panel = one(root, "invocation-logging");
    expect(one(panel, "logging-status").dataset.state).toBe("on");
    expect(one(panel, "logging-cloudwatch").textContent).toContain(
      "log group /bedrock/invocations, written with the role arn:aws:iam::123456789012:role/BedrockLogging",
    );
    expect(one(panel, "logging-s3").textContent).toContain("bucket team-bedrock-logs, prefix cairn/");
    expect(one(panel, "logging-data").textContent?.trim()).toBe("Data delivered: text and images.");

    click(one(panel, "logging-turn-off"));
    expect(panel.textContent).toContain("Turn off invocation logging?");
    click(one(panel, "logging-confirm-off"));
    await settle();
    const sent = calls.find((c) => c.cmd === "set_invocation_logging")?.args as { logging: InvocationLogging };
    expect(sent.logging.cloudWatch).toBeNull();
    expect(sent.logging.s3).toBeNull();
    expect(one(panel, "logging-status").dataset.state).toBe("off");
    expect(one(panel, "logging-notice").textContent).toContain("Invocation logging is now off.");
  });

  it("lists the IAM permissions needed when AWS refuses", async () => {
    backend({ invocation_logging: () => Promise.reject({ kind: "accessDenied", code: "AccessDeniedException", message: "not authorized to perform bedrock:GetModelInvocationLoggingConfiguration" }) });
    const root = await openView();
    const denied = one(root, "logging-access-denied");
    for (const words of [
      "bedrock:GetModelInvocationLoggingConfiguration",
      "bedrock:PutModelInvocationLoggingConfiguration",
      "bedrock:DeleteModelInvocationLoggingConfiguration",
      "iam:PassRole",
      "s3:PutObject",
      "bedrock.amazonaws.com",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]) {
      expect(denied.textContent).toContain(words);
    }
    expect(byTestId(root, "logging-change")).toBeNull();
  });

  it("lists them too when a save is refused", async () => {
    backend({
      invocation_logging: () => LOGGING_ON,
      set_invocation_logging: () => Promise.reject({ kind: "accessDenied", message: "iam:PassRole denied" }),
    });
    const root = await openView();
    click(one(root, "logging-change"));
    click(one(root, "logging-save"));
    await settle();
    expect(one(root, "logging-access-denied").textContent).toContain("iam:PassRole");
    expect(byTestId(root, "logging-form")).not.toBeNull();
  });

  it("explains that a Bedrock API key cannot read the setting", async () => {
    backend({ invocation_logging: () => Promise.reject({ kind: "needsSigV4", message: "needs SigV4" }) });
    const root = await openView();
    expect(one(root, "logging-needs-sigv4").textContent).toContain("A Bedrock API key cannot read this setting.");
  });

  it("shows Bedrock's refusal of a configuration in plain words", async () => {
    backend({
      invocation_logging: () => LOGGING_ON,
      set_invocation_logging: () => Promise.reject({ kind: "invalidInput", code: "LoggingConfigInvalid", message: "bucket does not exist" }),
    });
    const root = await openView();
    click(one(root, "logging-change"));
    click(one(root, "logging-save"));
    await settle();
    const notice = one(one(root, "invocation-logging"), "error-notice");
    expect(notice.dataset.code).toBe("LoggingConfigInvalid");
    expect(notice.textContent).toContain("Amazon Bedrock refused this logging configuration.");
  });

  it("forgets the configuration after a change of connection", async () => {
    backend({ invocation_logging: () => LOGGING_ON });
    const logging = new LoggingSettings();
    await logging.load();
    expect(logging.config).toEqual(LOGGING_ON);
    logging.reset();
    expect(logging.config).toBeNull();
    expect(logging.loaded).toBe(false);
  });
});

describe("in Traditional Chinese", () => {
  it("shows the view's words in zh-TW", async () => {
    setLocale("zh-TW");
    backend({ invocation_logging: () => LOGGING_ON });
    const root = await openView();
    expect(root.querySelector("h2")?.textContent).toBe("活動");
    const totals = one(root, "activity-totals");
    expect(totals.textContent).toContain("輸入 Token");
    expect(totals.textContent).toContain("預估費用");
    expect(one(root, "activity-export").textContent?.trim()).toBe("匯出 CSV");
    expect(one(root, "activity-retention").textContent).toContain("Anthropic 建議至少保留 30 天的活動");
    expect(one(root, "invocation-logging").querySelector("h3")?.textContent).toBe("Bedrock 呼叫記錄");
    expect(one(root, "logging-data").textContent?.trim()).toBe("傳送的資料：文字和圖片。");
    expect(allByTestId(root, "activity-row")[1].textContent).toContain("失敗");
    expect(one(allByTestId(root, "activity-row")[1], "activity-error").textContent).toContain("節流");
  });
});

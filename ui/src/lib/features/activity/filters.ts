// Pure: the Activity view's filters as chosen → the ActivityFilter sent to the backend, and the
// per-day series the charts draw.
import type { ActivityBucket, ActivityFilter } from "../../ipc";

export type RangePreset = "last7" | "last30" | "last90" | "thisYear" | "custom";
export const RANGE_PRESETS: readonly RangePreset[] = ["last7", "last30", "last90", "thisYear", "custom"];

export type Outcome = "complete" | "failed" | "cancelled" | "incomplete";
export const OUTCOMES: readonly Outcome[] = ["complete", "failed", "cancelled", "incomplete"];

export type Filters = {
  range: RangePreset;
  /** Custom range: local calendar days `YYYY-MM-DD` (`to` inclusive); "" = open. */
  from: string;
  to: string;
  /** "" = all. */
  connectionId: string;
  modelId: string;
  outcome: Outcome | "";
};

export const DEFAULT_FILTERS: Readonly<Filters> = {
  range: "last30",
  from: "",
  to: "",
  connectionId: "",
  modelId: "",
  outcome: "",
};

const PRESET_DAYS: Partial<Record<RangePreset, number>> = { last7: 7, last30: 30, last90: 90 };

export function isRangePreset(value: string): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value);
}

export function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A local calendar day as a date input shows it, `YYYY-MM-DD`. */
export function dateInputValue(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight of a date input's `YYYY-MM-DD`; null when empty or not a real day. */
export function parseDateInput(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date;
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** The instants the filters cover: `from` inclusive, `to` exclusive; null = open. */
export function rangeBounds(filters: Filters, now: Date): { from: Date | null; to: Date | null } {
  const today = startOfDay(now);
  const days = PRESET_DAYS[filters.range];
  if (days !== undefined) return { from: addDays(today, -(days - 1)), to: null };
  if (filters.range === "thisYear") return { from: new Date(now.getFullYear(), 0, 1), to: null };
  const from = parseDateInput(filters.from);
  const last = parseDateInput(filters.to);
  return { from, to: last ? addDays(last, 1) : null };
}

export type RangeProblem = "fromInvalid" | "toInvalid" | "order";

/** Why a custom range cannot be used (nothing is loaded while there is one). */
export function rangeProblem(filters: Filters): RangeProblem | null {
  if (filters.range !== "custom") return null;
  if (filters.from.trim() !== "" && parseDateInput(filters.from) === null) return "fromInvalid";
  if (filters.to.trim() !== "" && parseDateInput(filters.to) === null) return "toInvalid";
  const from = parseDateInput(filters.from);
  const to = parseDateInput(filters.to);
  if (from && to && to < from) return "order";
  return null;
}

/** The custom range that starts as the preset shown so far (to today). */
export function customFrom(filters: Filters, now: Date): Pick<Filters, "from" | "to"> {
  if (filters.range === "custom") return { from: filters.from, to: filters.to };
  const { from } = rangeBounds(filters, now);
  return { from: from ? dateInputValue(from) : "", to: dateInputValue(now) };
}

/** What the backend is asked for: instants in RFC 3339 (local midnights), empty choices as null. */
export function toActivityFilter(filters: Filters, now: Date): ActivityFilter {
  const { from, to } = rangeBounds(filters, now);
  return {
    from: from ? from.toISOString() : null,
    to: to ? to.toISOString() : null,
    connectionId: filters.connectionId || null,
    modelId: filters.modelId || null,
    outcome: filters.outcome || null,
  };
}

/** One chart's data: UTC days in order, with zeros for days without calls. */
export type DailySeries = {
  days: string[];
  input: number[];
  output: number[];
  /** Null for a day whose calls have no price. */
  cost: Array<number | null>;
};

/** Longest stretch the charts fill with empty days (ten years). */
const MAX_DAYS = 3660;

function utcKey(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Midnight UTC of the day `time` falls on. */
function utcDay(time: number): number {
  return Date.parse(`${utcKey(time)}T00:00:00Z`);
}

/**
 * The per-day buckets (keyed by UTC date) laid out day by day over the filtered range: from the
 * range's first day (or the first bucket) to its last day (or today), with every bucket inside.
 */
export function dailySeries(perDay: readonly ActivityBucket[], bounds: { from: Date | null; to: Date | null }, now: Date): DailySeries {
  const empty: DailySeries = { days: [], input: [], output: [], cost: [] };
  const byDay = new Map(perDay.map((bucket) => [bucket.key, bucket]));
  const times = perDay.map((b) => Date.parse(`${b.key}T00:00:00Z`)).filter((t) => !Number.isNaN(t));
  if (times.length === 0 && bounds.from === null) return empty;
  const last = bounds.to ? Math.min(bounds.to.getTime() - 1, now.getTime()) : now.getTime();
  let start = Math.min(...times, ...(bounds.from ? [utcDay(bounds.from.getTime())] : []));
  const end = Math.max(...times, utcDay(last));
  if (end < start) return empty;
  const day = 86_400_000;
  if ((end - start) / day > MAX_DAYS) start = end - MAX_DAYS * day;
  const series = empty;
  for (let time = start; time <= end; time += day) {
    const key = utcKey(time);
    const bucket = byDay.get(key);
    series.days.push(key);
    series.input.push(bucket?.inputTokens ?? 0);
    series.output.push(bucket?.outputTokens ?? 0);
    series.cost.push(bucket ? bucket.costUsd : 0);
  }
  return series;
}

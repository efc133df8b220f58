// Words and numbers for the Activity view (through i18n; the reader's locale).
import { formatCost, formatNumber, t, type MessageKey } from "../../i18n/index.svelte";
import { ERROR_KINDS, type ErrorKind, type ModelOption, type ModelRow } from "../../ipc";
import { kindText } from "../../ipc/errors";
import type { DataType } from "./logging";
import type { Outcome, RangePreset } from "./filters";

export const RANGE_KEYS: Record<RangePreset, MessageKey> = {
  last7: "activity.filters.last7",
  last30: "activity.filters.last30",
  last90: "activity.filters.last90",
  thisYear: "activity.filters.thisYear",
  custom: "activity.filters.custom",
};

export const OUTCOME_KEYS: Record<Outcome, MessageKey> = {
  complete: "activity.outcome.complete",
  failed: "activity.outcome.failed",
  cancelled: "activity.outcome.cancelled",
  incomplete: "activity.outcome.incomplete",
};

export const DATA_TYPE_KEYS: Record<DataType, MessageKey> = {
  text: "activity.logging.types.text",
  image: "activity.logging.types.image",
  embedding: "activity.logging.types.embedding",
  video: "activity.logging.types.video",
};

const ENDPOINT_KEYS: Record<string, MessageKey> = {
  global: "activity.endpoint.global",
  regional: "activity.endpoint.regional",
  base: "activity.endpoint.base",
};

const API_KEYS: Record<string, MessageKey> = {
  converse: "activity.api.converse",
  invokeModel: "activity.api.invokeModel",
};

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A call's outcome in words (the backend's word when unknown). */
export function outcomeWords(outcome: string): string {
  const key = own(OUTCOME_KEYS as Record<string, MessageKey>, outcome);
  return key ? t(key) : outcome;
}

/** An error kind in plain words, as the chat says it (null when the kind is unknown). */
export function errorKindWords(kind: string | null): string | null {
  if (kind === null || kind === "") return null;
  if (!(ERROR_KINDS as string[]).includes(kind)) return kind;
  return t(kindText(kind as ErrorKind).title);
}

export function endpointWords(endpoint: string): string {
  const key = own(ENDPOINT_KEYS, endpoint);
  return key ? t(key) : endpoint;
}

export function apiWords(api: string): string {
  const key = own(API_KEYS, api);
  return key ? t(key) : api;
}

/** Milliseconds as "420 ms" or "1.3 s"; "—" when unknown. */
export function formatMs(ms: number | null): string {
  if (ms === null) return t("activity.none");
  if (ms < 1000) return t("activity.ms", { ms: formatNumber(Math.round(ms)) });
  return t("activity.seconds", { seconds: formatNumber(ms / 1000, { maximumFractionDigits: ms < 10_000 ? 2 : 1 }) });
}

/** An estimated cost, or "—" when unknown. */
export function costWords(cost: number | null): string {
  return cost === null ? t("activity.none") : formatCost(cost);
}

/** The `data-cost` attribute of a call: six decimals, "" when unknown. */
export function costAttribute(cost: number | null): string {
  return cost === null ? "" : cost.toFixed(6);
}

/** Names for base model IDs from the chat's models and the model table; the ID when unknown. */
export function modelNamer(options: readonly ModelOption[], rows: readonly ModelRow[] = []): (modelId: string) => string {
  const names = new Map<string, string>();
  for (const row of rows) names.set(row.entry.modelId, row.entry.name);
  for (const option of options) {
    names.set(option.modelId, option.name);
    names.set(option.invocationId, option.name);
  }
  return (modelId) => names.get(modelId) ?? modelId;
}

/** "a, b and c" in the reader's language. */
export function listWords(items: readonly string[], locale: string): string {
  try {
    return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}

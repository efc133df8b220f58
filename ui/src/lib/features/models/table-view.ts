// Pure helpers for the model-access table: which rows to show, in which order, and a few
// formats. No IPC, no Svelte state, so they are easy to test.
import type { CatalogEntry, ModelRow } from "../../ipc";

export type Family = "opus" | "sonnet" | "haiku";
export const FAMILIES: readonly Family[] = ["opus", "sonnet", "haiku"];

export type SortKey = "name" | "lifecycle" | "context" | "inputPrice";
export type SortDirection = "ascending" | "descending";
export type Sort = { key: SortKey; direction: SortDirection } | null;

export type Filters = {
  /** Matched against the name, the base model ID and the invocation ID, case-insensitively. */
  query: string;
  family: Family | "all";
  showLegacy: boolean;
};

export const DEFAULT_FILTERS: Readonly<Filters> = { query: "", family: "all", showLegacy: true };

/**
 * The geography a row's regional endpoint uses: the one of its invocation when it is regional,
 * else the first of the region's geographies (as the backend lists them) the model has a profile in, else the region's
 * first geography. `null` when the region belongs to no known geography.
 */
export function regionalGeography(row: ModelRow, regionGeographies: readonly string[]): string | null {
  const invocation = row.invocation;
  if (invocation?.endpoint === "regional") {
    const prefix = invocation.invocationId.split(".")[0];
    if (prefix) return prefix;
  }
  const geos = regionGeographies;
  const has = new Set(row.entry.profiles.map((p) => p.geo));
  return geos.find((g) => has.has(g)) ?? geos[0] ?? null;
}

export function hasGlobalProfile(entry: CatalogEntry): boolean {
  return entry.profiles.some((p) => p.geo === "global");
}

/** The profile ID for one geography, or null when the model has none there. */
export function profileFor(entry: CatalogEntry, geo: string): string | null {
  return entry.profiles.find((p) => p.geo === geo)?.profileId ?? null;
}

/** Bedrock's LEGACY, or a deprecation date from Bedrock or the bundled metadata. */
export function isDeprecated(entry: CatalogEntry): boolean {
  return /^legacy$/i.test(entry.lifecycle) || entry.legacySince !== null || entry.deprecatedOn !== null;
}

/** When the model was deprecated: Bedrock's date first, then the metadata's. */
export function deprecatedSince(entry: CatalogEntry): string | null {
  return entry.legacySince ?? entry.deprecatedOn;
}

/** The family from the metadata, else guessed from the name; null when neither says. */
export function familyOf(entry: CatalogEntry): Family | null {
  const family = (entry.family ?? "").toLowerCase();
  const known = FAMILIES.find((f) => f === family);
  if (known) return known;
  const name = entry.name.toLowerCase();
  return FAMILIES.find((f) => name.includes(f)) ?? null;
}

export function matches(row: ModelRow, filters: Filters): boolean {
  const entry = row.entry;
  if (!filters.showLegacy && isDeprecated(entry)) return false;
  if (filters.family !== "all" && familyOf(entry) !== filters.family) return false;
  const query = filters.query.trim().toLowerCase();
  if (query === "") return true;
  const haystack = [entry.name, entry.modelId, row.invocation?.invocationId ?? ""].join("\n").toLowerCase();
  return query.split(/\s+/).every((word) => haystack.includes(word));
}

export function filtersActive(filters: Filters): boolean {
  return filters.query.trim() !== "" || filters.family !== "all" || !filters.showLegacy;
}

function compareNullable(a: number | null, b: number | null): number | null {
  if (a === null && b === null) return 0;
  // Unknown values go last whichever the direction.
  if (a === null) return null;
  if (b === null) return null;
  return a - b;
}

/** Filters and sorts; ties keep the name order, unknown numbers go last. */
export function visibleRows(rows: readonly ModelRow[], filters: Filters, sort: Sort): ModelRow[] {
  const kept = rows.filter((row) => matches(row, filters));
  if (!sort) return kept;
  const sign = sort.direction === "ascending" ? 1 : -1;
  const byName = (a: ModelRow, b: ModelRow) => a.entry.name.localeCompare(b.entry.name, "en", { numeric: true });
  const value = (row: ModelRow): number | null => {
    switch (sort.key) {
      case "context":
        return row.entry.contextWindow;
      case "inputPrice":
        return row.inputPrice;
      case "lifecycle":
        return isDeprecated(row.entry) ? 1 : 0;
      case "name":
        return null;
    }
  };
  return [...kept].sort((a, b) => {
    if (sort.key === "name") return sign * byName(a, b);
    const va = value(a);
    const vb = value(b);
    const diff = compareNullable(va, vb);
    if (diff === null) return va === null ? 1 : -1;
    return diff !== 0 ? sign * diff : byName(a, b);
  });
}

/** The next sort after clicking a header: ascending first, then flipping. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current?.key === key) {
    return { key, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { key, direction: "ascending" };
}

/** 200000 → "200K", 1000000 → "1M", 8192 → "8K". */
export function compactTokens(tokens: number): string {
  if (tokens >= 1_000_000) {
    const millions = tokens / 1_000_000;
    return `${Number.isInteger(millions) ? millions : millions.toFixed(1)}M`;
  }
  if (tokens >= 1000) return `${Math.round(tokens / 1000)}K`;
  return String(tokens);
}

/** The Bedrock console page of a region, where model access is requested. */
export function consoleUrl(region: string): string {
  return `https://console.aws.amazon.com/bedrock/home?region=${encodeURIComponent(region)}`;
}

/** The regional premium as a whole percentage (1.1 → 10); 10 when the catalog does not say. */
export function premiumPercent(factor: number | null): number {
  if (factor === null || !Number.isFinite(factor) || factor <= 1) return 10;
  return Math.round((factor - 1) * 100);
}

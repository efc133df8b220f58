import {
  ACTIVITY_PAGE_SIZE,
  activityList,
  activitySummary,
  exportActivityCsv,
  toCairnError,
  type ActivityEntry,
  type ActivityFilter,
  type ActivitySummary,
  type CairnError,
} from "../../ipc";
import { customFrom, DEFAULT_FILTERS, rangeBounds, rangeProblem, toActivityFilter, type Filters } from "./filters";

export type ActivityExport = { ok: true; path: string } | { ok: false; error: CairnError };

/**
 * The Activity view's calls: the filters, the summary and the pages of calls loaded for them,
 * and the CSV export. Every change of filter loads the list and the summary again; answers for
 * older filters are dropped.
 */
export class ActivityLog {
  filters = $state<Filters>({ ...DEFAULT_FILTERS });
  summary = $state.raw<ActivitySummary | null>(null);
  entries = $state.raw<ActivityEntry[]>([]);
  /** The filter the summary and the calls shown were loaded with (the export uses it too). */
  loadedFilter = $state.raw<ActivityFilter | null>(null);
  /** When that load was asked for, and the instants it covers (the charts lay out those days). */
  loadedAt = $state.raw<Date>(new Date());
  loadedBounds = $state.raw<{ from: Date | null; to: Date | null }>({ from: null, to: null });
  loading = $state(false);
  loaded = $state(false);
  loadingMore = $state(false);
  /** The last page was full: there may be more calls. */
  hasMore = $state(false);
  error = $state<CairnError | null>(null);
  exporting = $state(false);
  exportOutcome = $state.raw<ActivityExport | null>(null);
  /** Every connection and model seen in any summary so far, for the filters' choices. */
  connections = $state.raw<Array<[string, string]>>([]);
  models = $state.raw<string[]>([]);

  readonly problem = $derived(rangeProblem(this.filters));

  readonly #now: () => Date;
  #generation = 0;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** The filter the current choices ask for. */
  filter(): ActivityFilter {
    return toActivityFilter(this.filters, this.#now());
  }

  /**
   * Changes some filters and loads again (not while a custom range is invalid). Choosing custom
   * dates starts from the range shown so far.
   */
  setFilters(patch: Partial<Filters>): void {
    const startsCustom = patch.range === "custom" && this.filters.range !== "custom";
    const dates = startsCustom ? customFrom(this.filters, this.#now()) : {};
    this.filters = { ...this.filters, ...dates, ...patch };
    if (this.problem === null) void this.load();
  }

  /** The first page of calls and the summary for the current filters. */
  async load(): Promise<void> {
    if (this.problem !== null) return;
    const generation = ++this.#generation;
    const now = this.#now();
    const filters = this.filters;
    const filter = toActivityFilter(filters, now);
    this.loading = true;
    this.error = null;
    this.exportOutcome = null;
    try {
      const [entries, summary] = await Promise.all([activityList(filter, 0), activitySummary(filter)]);
      if (generation !== this.#generation) return;
      this.entries = entries;
      this.summary = summary;
      this.loadedFilter = filter;
      this.loadedAt = now;
      this.loadedBounds = rangeBounds(filters, now);
      this.hasMore = entries.length >= ACTIVITY_PAGE_SIZE;
      this.#remember(summary);
    } catch (e) {
      if (generation !== this.#generation) return;
      this.error = toCairnError(e);
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.loaded = true;
        this.loadingMore = false;
      }
    }
  }

  /** The next page of calls for the filter shown. */
  async loadMore(): Promise<void> {
    const filter = this.loadedFilter;
    if (filter === null || this.loadingMore || this.loading || !this.hasMore) return;
    const generation = this.#generation;
    this.loadingMore = true;
    try {
      const page = await activityList(filter, this.entries.length);
      if (generation !== this.#generation) return;
      // Calls made since the first page shift the pages: leave out any already shown.
      const shown = new Set(this.entries.map((e) => e.id).filter((id) => id !== null));
      this.entries = [...this.entries, ...page.filter((e) => e.id === null || !shown.has(e.id))];
      this.hasMore = page.length >= ACTIVITY_PAGE_SIZE;
    } catch (e) {
      if (generation === this.#generation) this.error = toCairnError(e);
    } finally {
      if (generation === this.#generation) this.loadingMore = false;
    }
  }

  /** Writes the calls shown (their filter) as CSV into Downloads; the outcome is in `exportOutcome`. */
  async exportCsv(): Promise<void> {
    if (this.exporting) return;
    const filter = this.loadedFilter ?? this.filter();
    this.exporting = true;
    this.exportOutcome = null;
    try {
      this.exportOutcome = { ok: true, path: await exportActivityCsv(filter) };
    } catch (e) {
      this.exportOutcome = { ok: false, error: toCairnError(e) };
    } finally {
      this.exporting = false;
    }
  }

  dismissError(): void {
    this.error = null;
  }

  #remember(summary: ActivitySummary): void {
    const connections = new Map(this.connections);
    for (const [id, name] of summary.connections) connections.set(id, name);
    this.connections = [...connections].sort((a, b) => a[1].localeCompare(b[1]));
    this.models = [...new Set([...this.models, ...summary.models])].sort();
  }
}

import {
  checkAllAccess,
  checkModelAccess,
  modelTable,
  setEndpointChoice,
  setKeepInGeography,
  toCairnError,
  type CairnError,
  type EndpointChoice,
  type ModelTable,
} from "../../ipc";
import { DEFAULT_FILTERS, type Filters, type Sort } from "./table-view";

/** Called after a change that can alter invocation IDs, so the chat's model list follows. */
export type RoutesListener = () => void | Promise<void>;

/**
 * The model-access table of the active connection and the actions on it. Every action that
 * changes routes (endpoint choice, residency) replaces the table with the backend's answer and
 * tells the listener, which reloads the chat's model list.
 */
export class ModelAccess {
  table = $state<ModelTable | null>(null);
  /** A first load is running. */
  loading = $state(false);
  /** A load has finished (with or without a table). */
  loaded = $state(false);
  refreshing = $state(false);
  checkingAll = $state(false);
  savingResidency = $state(false);
  /** Base model IDs whose access check or endpoint change is running. */
  checking = $state<Record<string, boolean>>({});
  choosing = $state<Record<string, boolean>>({});
  /** The failure of a load, refresh, "check all" or the residency switch. */
  error = $state<CairnError | null>(null);
  /** The last failure of an action on one row, by base model ID. */
  rowErrors = $state<Record<string, CairnError>>({});

  /** Search, family, legacy and sort survive switching views. */
  filters = $state<Filters>({ ...DEFAULT_FILTERS });
  sort = $state<Sort>(null);

  readonly #onRoutes: RoutesListener;
  /** Bumped by `reset()`; answers that arrive for an older connection are dropped. */
  #generation = 0;

  constructor(onRoutes: RoutesListener) {
    this.#onRoutes = onRoutes;
  }

  /** Forgets the table (a new connection); the view loads it again when shown. */
  reset(): void {
    this.#generation++;
    this.table = null;
    this.loaded = false;
    this.loading = false;
    this.refreshing = false;
    this.checkingAll = false;
    this.savingResidency = false;
    this.checking = {};
    this.choosing = {};
    this.error = null;
    this.rowErrors = {};
  }

  async load(): Promise<void> {
    if (this.loading) return;
    const generation = this.#generation;
    this.loading = true;
    await this.#run(() => modelTable(false), (table) => this.#apply(table));
    if (generation !== this.#generation) return;
    this.loading = false;
    this.loaded = true;
  }

  /** Asks Bedrock again. On failure the table shown so far stays, with the reason. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    const generation = this.#generation;
    this.refreshing = true;
    await this.#run(() => modelTable(true), (table) => this.#apply(table));
    if (generation !== this.#generation) return;
    this.refreshing = false;
    this.loaded = true;
  }

  async checkAll(): Promise<void> {
    if (this.checkingAll) return;
    const generation = this.#generation;
    this.checkingAll = true;
    await this.#run(() => checkAllAccess(), (table) => this.#apply(table));
    if (generation === this.#generation) this.checkingAll = false;
  }

  /** Resolves to whether the change was saved. */
  async setKeepInGeography(keep: boolean): Promise<boolean> {
    const generation = this.#generation;
    this.savingResidency = true;
    const ok = await this.#run(() => setKeepInGeography(keep), (table) => this.#apply(table));
    if (generation === this.#generation) this.savingResidency = false;
    if (ok) await this.#onRoutes();
    return ok;
  }

  /** Resolves to whether the change was saved. */
  async setChoice(modelId: string, choice: EndpointChoice): Promise<boolean> {
    this.choosing = { ...this.choosing, [modelId]: true };
    const ok = await this.#runForRow(modelId, () => setEndpointChoice(modelId, choice), (table) => this.#apply(table));
    this.choosing = without(this.choosing, modelId);
    if (ok) await this.#onRoutes();
    return ok;
  }

  async check(modelId: string): Promise<void> {
    this.checking = { ...this.checking, [modelId]: true };
    await this.#runForRow(
      modelId,
      () => checkModelAccess(modelId),
      (result) => {
        const row = this.table?.rows.find((r) => r.entry.modelId === modelId);
        if (row) row.lastCheck = result;
      },
    );
    this.checking = without(this.checking, modelId);
  }

  dismissError(): void {
    this.error = null;
  }

  dismissRowError(modelId: string): void {
    this.rowErrors = without(this.rowErrors, modelId);
  }

  #apply(table: ModelTable): void {
    this.table = table;
  }

  async #run<T>(action: () => Promise<T>, apply: (value: T) => void): Promise<boolean> {
    const generation = this.#generation;
    try {
      const value = await action();
      if (generation !== this.#generation) return false;
      apply(value);
      this.error = null;
      return true;
    } catch (e) {
      if (generation === this.#generation) this.error = toCairnError(e);
      return false;
    }
  }

  async #runForRow<T>(modelId: string, action: () => Promise<T>, apply: (value: T) => void): Promise<boolean> {
    const generation = this.#generation;
    try {
      const value = await action();
      if (generation !== this.#generation) return false;
      apply(value);
      this.rowErrors = without(this.rowErrors, modelId);
      return true;
    } catch (e) {
      if (generation === this.#generation) this.rowErrors = { ...this.rowErrors, [modelId]: toCairnError(e) };
      return false;
    }
  }
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

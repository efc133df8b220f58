import { listModels, toCairnError, type CairnError, type ModelOption } from "../../ipc";

export const MODEL_STORAGE_KEY = "cairn.model";

function readSaved(): string | null {
  try {
    return globalThis.localStorage?.getItem(MODEL_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

function save(invocationId: string): void {
  try {
    globalThis.localStorage?.setItem(MODEL_STORAGE_KEY, invocationId);
  } catch {
    // Without storage the choice is simply not remembered.
  }
}

/** The models offered by the backend and the one the user picked (by invocation id). */
export class ModelChoice {
  models = $state<ModelOption[]>([]);
  selectedId = $state("");
  loaded = $state(false);
  error = $state<CairnError | null>(null);

  readonly selected = $derived(this.models.find((m) => m.invocationId === this.selectedId) ?? null);

  /**
   * Loads the list and keeps the remembered choice when it is still offered. `previousModelId`
   * (a base model ID) keeps the same model selected when only its invocation ID changed, e.g.
   * after switching it between the global and the regional endpoint.
   */
  async load(previousModelId: string | null = null): Promise<void> {
    try {
      const models = await listModels();
      this.models = models;
      this.error = null;
      const saved = readSaved();
      const keep = [saved, this.selectedId].find(
        (id) => id !== null && id !== "" && models.some((m) => m.invocationId === id),
      );
      const sameModel = previousModelId ? models.find((m) => m.modelId === previousModelId) : undefined;
      if (keep === undefined && sameModel) {
        this.selectedId = sameModel.invocationId;
        save(sameModel.invocationId);
        return;
      }
      this.selectedId = keep ?? models[0]?.invocationId ?? "";
    } catch (e) {
      this.error = toCairnError(e);
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Loads the list again for a new connection: the old connection's models are dropped first,
   * so a failure shows its reason instead of models that no longer apply.
   */
  async reload(): Promise<void> {
    const previousModelId = this.selected?.modelId ?? null;
    this.models = [];
    this.selectedId = "";
    this.error = null;
    this.loaded = false;
    await this.load(previousModelId);
  }

  /** Selects a model and remembers it for next time. */
  select(invocationId: string): void {
    if (!this.models.some((m) => m.invocationId === invocationId)) return;
    this.selectedId = invocationId;
    save(invocationId);
  }
}

import {
  conversationSettings,
  modelTable,
  toCairnError,
  type CairnError,
  type ChatSettings,
  type ModelRow,
} from "../../ipc";
import { defaultSettings, draftFromSettings, type SettingsDraft } from "./settings";

/**
 * The open conversation's settings form. A new chat starts from the settings last sent in this
 * session (or the defaults); opening a conversation loads the ones saved with it.
 */
export class ConversationSettings {
  draft = $state<SettingsDraft>(draftFromSettings(defaultSettings()));
  loading = $state(false);
  error = $state<CairnError | null>(null);

  #lastUsed: ChatSettings | null = null;
  #request = 0;

  /** The form for a new chat. */
  startNew(): void {
    this.#request++;
    this.loading = false;
    this.error = null;
    this.draft = draftFromSettings(this.#lastUsed ?? defaultSettings());
  }

  /** Loads the settings saved with conversation `id`; a later call wins over an earlier one. */
  async load(id: string): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    this.error = null;
    try {
      const settings = await conversationSettings(id);
      if (request !== this.#request) return;
      this.draft = draftFromSettings(settings);
    } catch (e) {
      if (request === this.#request) this.error = toCairnError(e);
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  /** Puts `settings` in the form (e.g. after a refused setting was dropped). */
  apply(settings: ChatSettings): void {
    this.draft = draftFromSettings(settings);
  }

  /** Remembers what was just sent, for the next new chat. */
  remember(settings: ChatSettings): void {
    this.#lastUsed = { ...settings, stopSequences: [...(settings.stopSequences ?? [])] };
  }
}

/**
 * The model table's rows, for the chat's per-model limits (maximum output, extended thinking,
 * the 1M beta). Without them the form simply offers no thinking or 1M toggle.
 */
export class ModelMetadata {
  rows = $state<ModelRow[]>([]);
  #request = 0;

  async load(): Promise<void> {
    const request = ++this.#request;
    try {
      const table = await modelTable(false);
      if (request === this.#request) this.rows = table.rows;
    } catch {
      if (request === this.#request) this.rows = [];
    }
  }
}

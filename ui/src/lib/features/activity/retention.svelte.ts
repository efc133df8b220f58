import { activitySettings, setActivitySettings, toCairnError, type ActivitySettings, type CairnError } from "../../ipc";
import { checkRetention } from "./retention";

/** How long calls are kept, and question excerpts: the form, and how many calls a save removed. */
export class RetentionSettings {
  settings = $state.raw<ActivitySettings | null>(null);
  /** The form as typed. */
  days = $state("");
  excerpts = $state(false);
  loading = $state(false);
  saving = $state(false);
  error = $state<CairnError | null>(null);
  /** How many old calls the last save removed (null before a save). */
  removed = $state<number | null>(null);

  readonly check = $derived(checkRetention(this.days));

  readonly #onSaved: () => void | Promise<void>;

  /** `onSaved` runs after a save that removed calls (the view loads them again). */
  constructor(onSaved: () => void | Promise<void> = () => {}) {
    this.#onSaved = onSaved;
  }

  async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      const settings = await activitySettings();
      this.settings = settings;
      this.days = String(settings.retentionDays);
      this.excerpts = settings.excerpts;
      this.error = null;
    } catch (e) {
      this.error = toCairnError(e);
    } finally {
      this.loading = false;
    }
  }

  /** Saves what the form says (not while the days are invalid); resolves to whether it was saved. */
  async save(): Promise<boolean> {
    const days = this.check.days;
    if (days === null || this.saving) return false;
    const next: ActivitySettings = { retentionDays: days, excerpts: this.excerpts };
    this.saving = true;
    this.removed = null;
    this.error = null;
    try {
      const removed = await setActivitySettings(next);
      this.settings = next;
      this.removed = removed;
      if (removed > 0) await this.#onSaved();
      return true;
    } catch (e) {
      this.error = toCairnError(e);
      return false;
    } finally {
      this.saving = false;
    }
  }
}

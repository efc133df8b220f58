import { invocationLogging, setInvocationLogging, toCairnError, type CairnError, type InvocationLogging } from "../../ipc";
import { checkDraft, draftFrom, loggingOff, type LoggingDraft } from "./logging";

export type LoggingNotice = "saved" | "turnedOff";

/**
 * Bedrock's model-invocation logging of the active connection: what it is, the change form, and
 * saving or turning it off. `reset()` after a change of connection; answers for the previous
 * connection are dropped.
 */
export class LoggingSettings {
  config = $state.raw<InvocationLogging | null>(null);
  loading = $state(false);
  loaded = $state(false);
  /** Reading the configuration failed. */
  error = $state<CairnError | null>(null);
  editing = $state(false);
  draft = $state<LoggingDraft>(draftFrom(null));
  /** The form has been sent once: its problems are shown. */
  attempted = $state(false);
  saving = $state(false);
  /** Saving or turning off failed. */
  saveError = $state<CairnError | null>(null);
  notice = $state<LoggingNotice | null>(null);

  readonly check = $derived(checkDraft(this.draft));

  #generation = 0;

  reset(): void {
    this.#generation++;
    this.config = null;
    this.loading = false;
    this.loaded = false;
    this.error = null;
    this.editing = false;
    this.attempted = false;
    this.saving = false;
    this.saveError = null;
    this.notice = null;
  }

  async load(): Promise<void> {
    if (this.loading) return;
    const generation = this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const config = await invocationLogging();
      if (generation !== this.#generation) return;
      this.config = config;
    } catch (e) {
      if (generation !== this.#generation) return;
      this.config = null;
      this.error = toCairnError(e);
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.loaded = true;
      }
    }
  }

  /** Opens the change form with the current configuration (text only when off). */
  startEdit(): void {
    this.draft = draftFrom(this.config);
    this.attempted = false;
    this.saveError = null;
    this.notice = null;
    this.editing = true;
  }

  /** A field of the form was changed. */
  change(patch: Partial<LoggingDraft>): void {
    this.draft = { ...this.draft, ...patch };
  }

  cancelEdit(): void {
    this.editing = false;
    this.attempted = false;
    this.saveError = null;
  }

  /** Sends the form (not while it has problems); resolves to whether it was saved. */
  async save(): Promise<boolean> {
    this.attempted = true;
    const logging = this.check.logging;
    if (logging === null) return false;
    return this.#send(logging, "saved");
  }

  /** Every destination null: Bedrock stops logging. */
  async turnOff(): Promise<boolean> {
    return this.#send(loggingOff(this.config), "turnedOff");
  }

  async #send(logging: InvocationLogging, notice: LoggingNotice): Promise<boolean> {
    if (this.saving) return false;
    const generation = this.#generation;
    this.saving = true;
    this.saveError = null;
    this.notice = null;
    try {
      const config = await setInvocationLogging(logging);
      if (generation !== this.#generation) return false;
      this.config = config;
      this.error = null;
      this.editing = false;
      this.attempted = false;
      this.notice = notice;
      return true;
    } catch (e) {
      if (generation === this.#generation) this.saveError = toCairnError(e);
      return false;
    } finally {
      if (generation === this.#generation) this.saving = false;
    }
  }
}

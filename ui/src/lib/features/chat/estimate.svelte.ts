import {
  estimateMessage,
  newStreamId,
  toCairnError,
  type CairnError,
  type ChatSettings,
  type DocumentInfo,
  type InputEstimate,
} from "../../ipc";

/** How long typing (or editing the settings) must pause before the tokens are counted again. */
export const ESTIMATE_DELAY_MS = 600;

/** What the next message would send now. */
export type EstimateInput = {
  conversationId: string | null;
  /** Changes whenever the stored conversation does (e.g. its number of messages). */
  history: number;
  modelId: string;
  /** The typed text, or a stand-in question when nothing is typed yet. */
  text: string;
  settings: ChatSettings;
  documents: DocumentInfo[];
};

/** The composer's estimate line: counting, the answer, or why a send would be refused. */
export type EstimateState =
  | { status: "counting" }
  | { status: "ready"; estimate: InputEstimate }
  | { status: "failed"; error: CairnError };

/**
 * The input tokens (and their price) of the message being written, counted by the backend
 * (`estimateMessage`: CountTokens, free; nothing is stored). A change of conversation, model or
 * documents is counted at once; typed text and settings after a pause of `delayMs`. Only the
 * latest request's answer is shown.
 */
export class InputEstimator {
  /** Null: nothing to show (no documents attached). */
  state = $state.raw<EstimateState | null>(null);
  readonly #delayMs: number;
  #request = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** What is counted at once when it changes, and everything the count depends on. */
  #contextKey: string | null = null;
  #fullKey: string | null = null;

  constructor(delayMs = ESTIMATE_DELAY_MS) {
    this.#delayMs = delayMs;
  }

  /** The message as it stands; `null` shows nothing and asks nothing. */
  update(input: EstimateInput | null): void {
    if (input === null) {
      this.#cancel();
      this.#forget();
      this.state = null;
      return;
    }
    const contextKey = JSON.stringify([input.conversationId, input.history, input.modelId, input.documents.map((d) => d.id)]);
    const fullKey = JSON.stringify([contextKey, input.text, input.settings]);
    if (fullKey === this.#fullKey) return;
    const immediate = contextKey !== this.#contextKey;
    this.#contextKey = contextKey;
    this.#fullKey = fullKey;
    this.#cancel();
    this.state = { status: "counting" };
    const request = this.#request;
    if (immediate) {
      void this.#count(request, input);
    } else {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#count(request, input);
      }, this.#delayMs);
    }
  }

  /** The conversation is changing (an answer is being written): count again once it settles. */
  hold(): void {
    this.#cancel();
    this.#forget();
    this.state = { status: "counting" };
  }

  /** Stops waiting; answers still on their way are dropped. */
  dispose(): void {
    this.#cancel();
  }

  #forget(): void {
    this.#contextKey = null;
    this.#fullKey = null;
  }

  /** Drops the pending wait and makes any answer on its way stale. */
  #cancel(): void {
    this.#request++;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  async #count(request: number, input: EstimateInput): Promise<void> {
    try {
      const estimate = await estimateMessage({
        streamId: newStreamId(),
        conversationId: input.conversationId,
        modelId: input.modelId,
        text: input.text,
        settings: input.settings,
        action: null,
        documents: input.documents,
      });
      if (request === this.#request) this.state = { status: "ready", estimate };
    } catch (e) {
      if (request === this.#request) this.state = { status: "failed", error: toCairnError(e) };
    }
  }
}

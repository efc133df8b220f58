import { searchMessages, toCairnError, type CairnError, type SearchHit } from "../../ipc";

export const SEARCH_DELAY_MS = 200;

/**
 * The sidebar's message search: typing waits `delayMs` after the last keystroke, then asks the
 * backend. Only the newest query's answer is kept.
 */
export class ConversationSearch {
  /** What is in the box, as typed. */
  query = $state("");
  hits = $state<SearchHit[]>([]);
  /** The (trimmed) query that `hits` answer; "" before the first answer. */
  answered = $state("");
  searching = $state(false);
  error = $state<CairnError | null>(null);

  /** The box has text: the sidebar shows results instead of the list. */
  readonly active = $derived(this.query.trim() !== "");

  #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #request = 0;

  constructor(options: { delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? SEARCH_DELAY_MS;
  }

  /** The box changed: search after a pause, or clear the results when it is empty. */
  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    const trimmed = query.trim();
    if (trimmed === "") {
      this.#reset();
      return;
    }
    this.#timer = setTimeout(() => void this.run(trimmed), this.#delayMs);
  }

  /** Searches now for `query` (already trimmed). */
  async run(query: string): Promise<void> {
    clearTimeout(this.#timer);
    const request = ++this.#request;
    this.searching = true;
    try {
      const hits = await searchMessages(query);
      if (request !== this.#request) return;
      this.hits = hits;
      this.answered = query;
      this.error = null;
    } catch (e) {
      if (request !== this.#request) return;
      this.hits = [];
      this.answered = query;
      this.error = toCairnError(e);
    } finally {
      if (request === this.#request) this.searching = false;
    }
  }

  /** Empties the box and drops any answer still on its way. */
  clear(): void {
    clearTimeout(this.#timer);
    this.query = "";
    this.#reset();
  }

  #reset(): void {
    this.#request++;
    this.hits = [];
    this.answered = "";
    this.searching = false;
    this.error = null;
  }
}

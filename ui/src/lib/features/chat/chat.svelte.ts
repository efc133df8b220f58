import {
  deleteConversation,
  exportConversation,
  getConversation,
  listConversations,
  newStreamId,
  renameConversation,
  restoreConversation,
  sendMessage,
  setConversationPinned,
  stopStream,
  toCairnError,
  type CairnError,
  type ChatEvent,
  type ChatMessage,
  type ChatSettings,
  type ConversationSummary,
  type ExportFormat,
} from "../../ipc";
import { nextFrame, type FrameScheduler } from "./frame";

/** A message as the UI shows it: the stored fields plus what only a live stream knows. */
export type UiMessage = ChatMessage & {
  firstTokenMs: number | null;
  /** Estimated USD for this answer, and the date of the prices used (known for live answers). */
  costUsd: number | null;
  priceDate: string | null;
  error: CairnError | null;
  /** While Cairn waits to retry a throttled request: which attempt, and until when (epoch ms). */
  retry: { attempt: number; maxAttempts: number; until: number } | null;
};

function fromStored(message: ChatMessage): UiMessage {
  return { ...message, firstTokenMs: null, costUsd: null, priceDate: null, error: null, retry: null };
}

function localId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

type ActiveStream = {
  streamId: string;
  userId: string;
  assistantId: string;
  pending: string;
  flushScheduled: boolean;
  /** Resolves when done, failed or cancelled has arrived. */
  ended: Promise<void>;
  markEnded: () => void;
};

/** How long "Conversation deleted — Undo" stays. */
export const UNDO_DELETE_MS = 8000;

/** A deleted conversation that can still be brought back. */
export type DeletedConversation = { id: string; title: string };

/** The outcome of the last export of the open conversation. */
export type ExportOutcome =
  | { ok: true; format: ExportFormat; path: string }
  | { ok: false; format: ExportFormat; error: CairnError };

// Channel messages and the command's reply travel separately, so the reply can
// overtake the last event; wait this long for it before calling the answer incomplete.
const TERMINAL_GRACE_MS = 3000;

function newStream(streamId: string): ActiveStream {
  let markEnded = () => {};
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  return {
    streamId,
    userId: localId("user"),
    assistantId: localId("assistant"),
    pending: "",
    flushScheduled: false,
    ended,
    markEnded,
  };
}

/** Waits for `promise`, but no longer than `ms`. */
function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The chat: the conversation list, the open conversation, and the one stream
 * that may be running. Deltas are buffered and applied once per frame.
 */
export class ChatSession {
  conversations = $state<ConversationSummary[]>([]);
  conversationsLoaded = $state(false);
  activeId = $state<string | null>(null);
  messages = $state<UiMessage[]>([]);
  loadingConversation = $state(false);
  /** The id of the running stream, or null when idle. */
  streamId = $state<string | null>(null);
  error = $state<CairnError | null>(null);

  readonly streaming = $derived(this.streamId !== null);
  /** The sum of the answers' estimated costs in this view; null when none is known. */
  readonly totalCost = $derived.by(() => {
    const costs = this.messages.flatMap((m) => (m.costUsd === null ? [] : [m.costUsd]));
    return costs.length === 0 ? null : costs.reduce((sum, c) => sum + c, 0);
  });
  /** The price date of the newest answer with a cost. */
  readonly totalPriceDate = $derived(
    this.messages.reduce<string | null>((date, m) => m.priceDate ?? date, null),
  );

  /** The conversation just deleted, while its Undo is offered. */
  deleted = $state<DeletedConversation | null>(null);
  exporting = $state(false);
  exportOutcome = $state<ExportOutcome | null>(null);

  #stream: ActiveStream | null = null;
  #schedule: FrameScheduler;
  #openRequest = 0;
  #undoMs: number;
  #undoTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: { schedule?: FrameScheduler; undoMs?: number } = {}) {
    this.#schedule = options.schedule ?? nextFrame;
    this.#undoMs = options.undoMs ?? UNDO_DELETE_MS;
  }

  /**
   * Renames a conversation to `title`, trimmed. Returns false (and sends nothing) when the
   * trimmed title is empty, or when the backend refused.
   */
  async rename(id: string, title: string): Promise<boolean> {
    const trimmed = title.trim();
    if (trimmed === "") return false;
    try {
      await renameConversation(id, trimmed);
    } catch (e) {
      this.error = toCairnError(e);
      return false;
    }
    await this.loadConversations();
    return true;
  }

  /** Pins or unpins a conversation, then reloads the list (pinned ones come first). */
  async setPinned(id: string, pinned: boolean): Promise<boolean> {
    try {
      await setConversationPinned(id, pinned);
    } catch (e) {
      this.error = toCairnError(e);
      return false;
    }
    await this.loadConversations();
    return true;
  }

  /**
   * Deletes (hides) a conversation and offers Undo for a while. Deleting the open conversation
   * clears the view. Ignored while an answer is streaming.
   */
  async deleteConversation(id: string): Promise<boolean> {
    if (this.streaming) return false;
    const title = this.conversations.find((c) => c.id === id)?.title ?? "";
    try {
      await deleteConversation(id);
    } catch (e) {
      this.error = toCairnError(e);
      return false;
    }
    this.conversations = this.conversations.filter((c) => c.id !== id);
    if (this.activeId === id) this.newChat();
    clearTimeout(this.#undoTimer);
    this.deleted = { id, title };
    this.#undoTimer = setTimeout(() => {
      this.deleted = null;
    }, this.#undoMs);
    await this.loadConversations();
    return true;
  }

  /** Brings back the conversation just deleted and reloads the list. */
  async undoDelete(): Promise<boolean> {
    const deleted = this.deleted;
    if (deleted === null) return false;
    clearTimeout(this.#undoTimer);
    this.deleted = null;
    try {
      await restoreConversation(deleted.id);
    } catch (e) {
      this.error = toCairnError(e);
      return false;
    }
    await this.loadConversations();
    return true;
  }

  /** Hides the Undo offer without restoring. */
  dismissDeleted(): void {
    clearTimeout(this.#undoTimer);
    this.deleted = null;
  }

  /** Writes the open conversation to the Downloads folder; the outcome is in `exportOutcome`. */
  async exportActive(format: ExportFormat): Promise<void> {
    const id = this.activeId;
    if (id === null || this.exporting) return;
    this.exporting = true;
    this.exportOutcome = null;
    try {
      const path = await exportConversation(id, format);
      if (this.activeId === id) this.exportOutcome = { ok: true, format, path };
    } catch (e) {
      if (this.activeId === id) this.exportOutcome = { ok: false, format, error: toCairnError(e) };
    } finally {
      this.exporting = false;
    }
  }

  async loadConversations(): Promise<void> {
    try {
      this.conversations = await listConversations();
    } catch (e) {
      this.error = toCairnError(e);
    } finally {
      this.conversationsLoaded = true;
    }
  }

  /** Opens a stored conversation; ignored while an answer is streaming. */
  async openConversation(id: string): Promise<void> {
    if (this.streaming) return;
    const request = ++this.#openRequest;
    this.loadingConversation = true;
    this.error = null;
    this.exportOutcome = null;
    try {
      const conversation = await getConversation(id);
      if (request !== this.#openRequest) return;
      this.activeId = conversation.summary.id;
      this.messages = conversation.messages.map(fromStored);
    } catch (e) {
      if (request === this.#openRequest) this.error = toCairnError(e);
    } finally {
      if (request === this.#openRequest) this.loadingConversation = false;
    }
  }

  /** Clears the view for a new conversation; ignored while an answer is streaming. */
  newChat(): void {
    if (this.streaming) return;
    this.#openRequest++;
    this.loadingConversation = false;
    this.activeId = null;
    this.messages = [];
    this.error = null;
    this.exportOutcome = null;
  }

  dismissError(): void {
    this.error = null;
  }

  /**
   * Sends `text` to the model with invocation id `modelId` and streams the answer. `settings`
   * (API, system prompt, parameters) are saved with the conversation; null keeps its saved ones.
   * Returns false (and sends nothing) for blank text, a missing model, or while
   * another answer is streaming.
   */
  async send(text: string, modelId: string, settings: ChatSettings | null = null): Promise<boolean> {
    if (text.trim() === "" || modelId === "" || this.streaming) return false;

    const streamId = newStreamId();
    const now = new Date().toISOString();
    const stream = newStream(streamId);
    this.#stream = stream;
    this.streamId = streamId;
    this.error = null;
    this.messages.push(
      {
        id: stream.userId,
        role: "user",
        text,
        status: "complete",
        modelId: null,
        inputTokens: null,
        outputTokens: null,
        createdAt: now,
        firstTokenMs: null,
        costUsd: null,
        priceDate: null,
        error: null,
        retry: null,
      },
      {
        id: stream.assistantId,
        role: "assistant",
        text: "",
        status: "streaming",
        modelId,
        inputTokens: null,
        outputTokens: null,
        createdAt: now,
        firstTokenMs: null,
        costUsd: null,
        priceDate: null,
        error: null,
        retry: null,
      },
    );

    try {
      await sendMessage(
        { streamId, conversationId: this.activeId, modelId, text, settings },
        (event) => this.#onEvent(stream, event),
      );
      await waitAtMost(stream.ended, TERMINAL_GRACE_MS);
    } catch (e) {
      const error = toCairnError(e);
      this.#flush(stream);
      const assistant = this.#find(stream.assistantId);
      if (assistant && assistant.status === "streaming") {
        if (assistant.text === "") {
          // Nothing was streamed: the request never started, so drop the empty answer.
          this.messages = this.messages.filter((m) => m.id !== stream.assistantId);
          const user = this.#find(stream.userId);
          if (user) {
            user.status = "failed";
            user.error = error;
          }
        } else {
          assistant.status = "failed";
          assistant.error = error;
        }
      }
      this.error = error;
    } finally {
      this.#finish(stream);
    }
    return true;
  }

  /** Asks the backend to stop the running answer; the partial text is kept. */
  async stop(): Promise<void> {
    const streamId = this.streamId;
    if (streamId === null) return;
    try {
      await stopStream(streamId);
    } catch (e) {
      this.error = toCairnError(e);
    }
  }

  #find(id: string): UiMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  #onEvent(stream: ActiveStream, event: ChatEvent): void {
    if (this.#stream !== stream) return;
    switch (event.type) {
      case "started": {
        this.activeId = event.conversationId;
        const user = this.#find(stream.userId);
        if (user) user.id = event.userMessageId;
        const assistant = this.#find(stream.assistantId);
        if (assistant) assistant.id = event.assistantMessageId;
        stream.userId = event.userMessageId;
        stream.assistantId = event.assistantMessageId;
        // The conversation (new or touched) is stored now: show it in the sidebar at once.
        void this.loadConversations();
        return;
      }
      case "retrying": {
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          assistant.retry = {
            attempt: event.attempt,
            maxAttempts: event.maxAttempts,
            until: Date.now() + event.waitMs,
          };
        }
        return;
      }
      case "delta":
        this.#clearRetry(stream);
        stream.pending += event.text;
        if (!stream.flushScheduled) {
          stream.flushScheduled = true;
          this.#schedule(() => this.#flush(stream));
        }
        return;
      case "done": {
        stream.markEnded();
        this.#clearRetry(stream);
        this.#flush(stream);
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          assistant.status = "complete";
          assistant.inputTokens = event.usage.inputTokens;
          assistant.outputTokens = event.usage.outputTokens;
          assistant.firstTokenMs = event.usage.firstTokenMs;
          assistant.costUsd = event.usage.costUsd;
          assistant.priceDate = event.usage.priceDate;
        }
        return;
      }
      case "failed": {
        stream.markEnded();
        this.#clearRetry(stream);
        this.#flush(stream);
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          assistant.status = "failed";
          assistant.error = event.error;
        }
        this.error = event.error;
        return;
      }
      case "cancelled": {
        stream.markEnded();
        this.#clearRetry(stream);
        this.#flush(stream);
        const assistant = this.#find(stream.assistantId);
        if (assistant) assistant.status = "cancelled";
        return;
      }
      default: {
        const unknown: never = event;
        throw new Error(`Unknown chat event: ${JSON.stringify(unknown)}`);
      }
    }
  }

  #clearRetry(stream: ActiveStream): void {
    const assistant = this.#find(stream.assistantId);
    if (assistant?.retry) assistant.retry = null;
  }

  #flush(stream: ActiveStream): void {
    stream.flushScheduled = false;
    if (stream.pending === "") return;
    const assistant = this.#find(stream.assistantId);
    if (assistant) assistant.text += stream.pending;
    stream.pending = "";
  }

  #finish(stream: ActiveStream): void {
    this.#flush(stream);
    // A stream that ended without a terminal event is not a complete answer.
    const assistant = this.#find(stream.assistantId);
    if (assistant && assistant.status === "streaming") assistant.status = "incomplete";
    if (this.#stream === stream) {
      this.#stream = null;
      this.streamId = null;
    }
    void this.loadConversations();
  }
}

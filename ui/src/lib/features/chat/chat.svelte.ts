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
  type Citation,
  type ConversationSummary,
  type DocumentInfo,
  type ExportFormat,
  type SendAction,
} from "../../ipc";
import { sumUsage } from "./answers";
import { nextFrame, type FrameScheduler } from "./frame";

/** A message as the UI shows it: the stored fields plus what only a live stream knows. */
export type UiMessage = ChatMessage & {
  error: CairnError | null;
  /** While Cairn waits to retry a throttled request: which attempt, and until when (epoch ms). */
  retry: { attempt: number; maxAttempts: number; until: number } | null;
};

function fromStored(message: ChatMessage): UiMessage {
  return {
    ...message,
    thinking: message.thinking ?? null,
    usage: message.usage ?? null,
    documents: message.documents ?? [],
    citations: message.citations ?? [],
    // Stored since this version: "Continue" after max tokens survives a restart.
    stopReason: message.stopReason ?? null,
    error: null,
    retry: null,
  };
}

function localId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

function newMessage(
  id: string,
  role: UiMessage["role"],
  text: string,
  modelId: string | null,
  documents: DocumentInfo[] = [],
): UiMessage {
  return {
    id,
    role,
    text,
    thinking: null,
    status: role === "user" ? "complete" : "streaming",
    modelId,
    usage: null,
    documents,
    citations: [],
    createdAt: new Date().toISOString(),
    error: null,
    retry: null,
    stopReason: null,
  };
}

/**
 * What a send asks for: a new message (`action` null) with the PDFs attached to it, or an edit,
 * a regenerate, a continue (the PDFs of earlier messages are sent again by the backend).
 */
export type SendInput = { text: string; action: SendAction | null; documents?: DocumentInfo[] };

/** The last send that ended in a failure, kept so it can be sent again. */
export type FailedSend = {
  input: SendInput;
  modelId: string;
  settings: ChatSettings | null;
  error: CairnError;
  /** The backend stored the messages before failing: sending again regenerates `answerId`. */
  stored: boolean;
  answerId: string | null;
  /** Cairn's automatic retries of a throttled request ran out. */
  retriesExhausted: boolean;
};

/** A user message being edited in place. */
export type EditDraft = { messageId: string; text: string };

type ActiveStream = {
  streamId: string;
  userId: string;
  assistantId: string;
  pending: string;
  pendingThinking: string;
  /** Citations that arrived since the last flush (their offsets count the pending text). */
  pendingCitations: Citation[];
  flushScheduled: boolean;
  /** The messages are stored (the "started" event arrived). */
  started: boolean;
  /** "retrying" arrived at least once. */
  retried: boolean;
  /** The error of a "failed" event. */
  failure: CairnError | null;
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
    pendingThinking: "",
    pendingCitations: [],
    flushScheduled: false,
    started: false,
    retried: false,
    failure: null,
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

  /** The last send that failed, while its error is shown (for Retry and "drop … and send again"). */
  failedSend = $state<FailedSend | null>(null);
  /** The user message being edited, with the text as typed so far. */
  editing = $state<EditDraft | null>(null);

  readonly streaming = $derived(this.streamId !== null);
  /** The stored usage of every answer in view, summed; null when no answer has usage. */
  readonly totalUsage = $derived(sumUsage(this.messages));
  /** The sum of the answers' estimated costs in this view; null when none is known. */
  readonly totalCost = $derived(this.totalUsage?.costUsd ?? null);
  /** The price date of the newest answer with a cost. */
  readonly totalPriceDate = $derived(this.totalUsage?.priceDate ?? null);

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
      this.#report(toCairnError(e));
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
      this.#report(toCairnError(e));
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
      this.#report(toCairnError(e));
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
      this.#report(toCairnError(e));
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
      this.#report(toCairnError(e));
    } finally {
      this.conversationsLoaded = true;
    }
  }

  /** Opens a stored conversation; ignored while an answer is streaming. */
  async openConversation(id: string): Promise<void> {
    if (this.streaming) return;
    const request = ++this.#openRequest;
    this.loadingConversation = true;
    this.#report(null);
    this.editing = null;
    this.exportOutcome = null;
    try {
      const conversation = await getConversation(id);
      if (request !== this.#openRequest) return;
      this.activeId = conversation.summary.id;
      this.messages = conversation.messages.map(fromStored);
    } catch (e) {
      if (request === this.#openRequest) this.#report(toCairnError(e));
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
    this.#report(null);
    this.editing = null;
    this.exportOutcome = null;
  }

  dismissError(): void {
    this.#report(null);
  }

  /** Shows `error` (or none) in place of a failed send's. */
  #report(error: CairnError | null): void {
    this.error = error;
    this.failedSend = null;
  }

  /** Opens the editor on user message `id`; ignored while an answer is streaming. */
  startEdit(id: string): void {
    if (this.streaming) return;
    const message = this.#find(id);
    if (message?.role === "user") this.editing = { messageId: id, text: message.text };
  }

  cancelEdit(): void {
    this.editing = null;
  }

  /**
   * Sends `text` to the model with invocation id `modelId` and streams the answer. `settings`
   * (API, system prompt, parameters) are saved with the conversation; null keeps its saved ones.
   * Returns false (and sends nothing) for blank text, a missing model, or while
   * another answer is streaming.
   */
  send(
    text: string,
    modelId: string,
    settings: ChatSettings | null = null,
    documents: DocumentInfo[] = [],
  ): Promise<boolean> {
    return this.#run({ text, action: null, documents: [...documents] }, modelId, settings);
  }

  /** Replaces user message `messageId`'s text; the later messages go and a new answer streams. */
  edit(messageId: string, text: string, modelId: string, settings: ChatSettings | null = null): Promise<boolean> {
    return this.#run({ text, action: { type: "edit", messageId } }, modelId, settings);
  }

  /** Answers again in place of answer `messageId` (also the Retry of a failed one). */
  regenerate(messageId: string, modelId: string, settings: ChatSettings | null = null): Promise<boolean> {
    return this.#run({ text: "", action: { type: "regenerate", messageId } }, modelId, settings);
  }

  /** Continues the last answer, `messageId`, where it stopped. */
  continueAnswer(messageId: string, modelId: string, settings: ChatSettings | null = null): Promise<boolean> {
    return this.#run({ text: "", action: { type: "continue", messageId } }, modelId, settings);
  }

  /**
   * Sends the failed send again with `settings` (by default its own): the same request when
   * nothing was stored, else a regenerate of the failed answer.
   */
  resend(settings?: ChatSettings | null, modelId?: string): Promise<boolean> {
    const failed = this.failedSend;
    if (failed === null) return Promise.resolve(false);
    const chosen = settings === undefined ? failed.settings : settings;
    const model = modelId ?? failed.modelId;
    if (!failed.stored) return this.#run(failed.input, model, chosen);
    if (failed.answerId === null) return Promise.resolve(false);
    return this.regenerate(failed.answerId, model, chosen);
  }

  async #run(input: SendInput, modelId: string, settings: ChatSettings | null): Promise<boolean> {
    if (modelId === "" || this.streaming) return false;
    const before = $state.snapshot(this.messages) as UiMessage[];
    const stream = newStream(newStreamId());
    if (!this.#prepare(stream, input, modelId)) return false;

    this.#stream = stream;
    this.streamId = stream.streamId;
    this.#report(null);
    this.editing = null;

    let failure: CairnError | null = null;
    try {
      await sendMessage(
        {
          streamId: stream.streamId,
          conversationId: this.activeId,
          modelId,
          text: input.text,
          settings,
          action: input.action,
          // PDFs go with a new message only; the backend sends earlier messages' PDFs again.
          ...(input.action === null ? { documents: input.documents ?? [] } : {}),
        },
        (event) => this.#onEvent(stream, event),
      );
      await waitAtMost(stream.ended, TERMINAL_GRACE_MS);
      failure = stream.failure;
    } catch (e) {
      failure = toCairnError(e);
      this.#flush(stream);
      const assistant = this.#find(stream.assistantId);
      if (assistant && assistant.status === "streaming") {
        assistant.status = "failed";
        assistant.error = failure;
      }
    } finally {
      this.#finish(stream);
    }

    if (failure !== null) {
      if (!stream.started) {
        // Nothing was stored: the view goes back to what it was and the typed text is kept.
        this.messages = before;
        if (input.action?.type === "edit") this.editing = { messageId: input.action.messageId, text: input.text };
      }
      this.error = failure;
      this.failedSend = {
        input,
        modelId,
        settings,
        error: failure,
        stored: stream.started,
        answerId: stream.started ? stream.assistantId : null,
        retriesExhausted: stream.retried && failure.kind === "throttled",
      };
    }
    return true;
  }

  /** Shows the send in the view before it goes out; false when it cannot be sent. */
  #prepare(stream: ActiveStream, input: SendInput, modelId: string): boolean {
    const action = input.action;
    if (action === null) {
      if (input.text.trim() === "") return false;
      this.messages.push(
        newMessage(stream.userId, "user", input.text, null, [...(input.documents ?? [])]),
        newMessage(stream.assistantId, "assistant", "", modelId),
      );
      return true;
    }
    const index = this.messages.findIndex((m) => m.id === action.messageId);
    const target = this.messages[index];
    if (!target) return false;
    switch (action.type) {
      case "edit": {
        if (target.role !== "user" || input.text.trim() === "") return false;
        target.text = input.text;
        target.status = "complete";
        target.error = null;
        this.messages.splice(index + 1);
        stream.userId = target.id;
        this.messages.push(newMessage(stream.assistantId, "assistant", "", modelId));
        return true;
      }
      case "regenerate": {
        if (target.role !== "assistant") return false;
        const question = this.messages[index - 1];
        if (question) stream.userId = question.id;
        this.messages.splice(index);
        this.messages.push(newMessage(stream.assistantId, "assistant", "", modelId));
        return true;
      }
      case "continue": {
        if (target.role !== "assistant" || index !== this.messages.length - 1) return false;
        const question = this.messages[index - 1];
        if (question) stream.userId = question.id;
        stream.assistantId = target.id;
        target.status = "streaming";
        target.error = null;
        target.retry = null;
        target.stopReason = null;
        return true;
      }
      default: {
        const unknown: never = action;
        throw new Error(`Unknown send action: ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Asks the backend to stop the running answer; the partial text is kept. */
  async stop(): Promise<void> {
    const streamId = this.streamId;
    if (streamId === null) return;
    try {
      await stopStream(streamId);
    } catch (e) {
      this.#report(toCairnError(e));
    }
  }

  #find(id: string): UiMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  #onEvent(stream: ActiveStream, event: ChatEvent): void {
    if (this.#stream !== stream) return;
    switch (event.type) {
      case "started": {
        stream.started = true;
        this.activeId = event.conversationId;
        const user = this.#find(stream.userId);
        if (user) user.id = event.userMessageId;
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          assistant.id = event.assistantMessageId;
          // Continue: the answer as the backend kept it (trailing whitespace trimmed); deltas append.
          if (event.continuedFrom !== null) assistant.text = event.continuedFrom;
        }
        stream.userId = event.userMessageId;
        stream.assistantId = event.assistantMessageId;
        // The conversation (new or touched) is stored now: show it in the sidebar at once.
        void this.loadConversations();
        return;
      }
      case "retrying": {
        stream.retried = true;
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
        this.#scheduleFlush(stream);
        return;
      case "thinking":
        this.#clearRetry(stream);
        stream.pendingThinking += event.text;
        this.#scheduleFlush(stream);
        return;
      case "citation":
        stream.pendingCitations.push(event.citation);
        this.#scheduleFlush(stream);
        return;
      case "done": {
        stream.markEnded();
        this.#clearRetry(stream);
        this.#flush(stream);
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          assistant.status = "complete";
          assistant.usage = event.usage;
          assistant.stopReason = event.stopReason;
        }
        return;
      }
      case "failed": {
        stream.markEnded();
        stream.failure = event.error;
        this.#clearRetry(stream);
        this.#flush(stream);
        const assistant = this.#find(stream.assistantId);
        if (assistant) {
          // As stored: an answer with text is kept as incomplete (Retry, Continue); one
          // without any failed.
          assistant.status = assistant.text.trim() === "" ? "failed" : "incomplete";
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

  #scheduleFlush(stream: ActiveStream): void {
    if (stream.flushScheduled) return;
    stream.flushScheduled = true;
    this.#schedule(() => this.#flush(stream));
  }

  #flush(stream: ActiveStream): void {
    stream.flushScheduled = false;
    if (stream.pending === "" && stream.pendingThinking === "" && stream.pendingCitations.length === 0) return;
    const assistant = this.#find(stream.assistantId);
    if (assistant) {
      if (stream.pendingThinking !== "") assistant.thinking = (assistant.thinking ?? "") + stream.pendingThinking;
      if (stream.pending !== "") assistant.text += stream.pending;
      if (stream.pendingCitations.length > 0) assistant.citations.push(...stream.pendingCitations);
    }
    stream.pending = "";
    stream.pendingThinking = "";
    stream.pendingCitations = [];
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

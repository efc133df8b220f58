import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { ChatSession } from "../src/lib/features/chat/chat.svelte";
import type { CairnError, ConversationSummary, Usage } from "../src/lib/ipc";
import { FakeStream, deferred, mockBackend, tick } from "./ipc-mock";

const SUMMARY: ConversationSummary = {
  id: "conv-1",
  title: "Quarterly numbers",
  modelId: "global.anthropic.claude-sonnet",
  updatedAt: "2025-01-01T10:00:00Z",
  messageCount: 2,
  pinned: false,
};

const STARTED = {
  type: "started",
  conversationId: "conv-1",
  userMessageId: "u-1",
  assistantMessageId: "a-1",
  continuedFrom: null,
} as const;

const USAGE: Usage = {
  inputTokens: 12,
  outputTokens: 34,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  firstTokenMs: 420,
  totalMs: 900,
  costUsd: 0.0123,
  priceDate: "2026-11-01",
};

afterEach(() => clearMocks());

/** A scheduler that only runs queued frames when told to. */
function manualFrames() {
  const queue: Array<() => void> = [];
  return {
    schedule: (run: () => void) => void queue.push(run),
    get pending() {
      return queue.length;
    },
    runAll() {
      for (const run of queue.splice(0)) run();
    },
  };
}

describe("ChatSession.send", () => {
  it("creates the user message, accumulates deltas and attaches usage on done", async () => {
    let stream: FakeStream | undefined;
    const calls = mockBackend({
      send_message: async (args) => {
        stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({ type: "delta", text: "Hel" });
        stream.emit({ type: "delta", text: "lo **there**" });
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [SUMMARY],
    });
    const chat = new ChatSession();

    const sent = await chat.send("Hi Claude", "global.anthropic.claude-sonnet");

    expect(sent).toBe(true);
    expect(stream?.request.text).toBe("Hi Claude");
    expect(stream?.request.modelId).toBe("global.anthropic.claude-sonnet");
    expect(stream?.request.conversationId).toBeNull();
    expect(stream?.request.streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(chat.messages.map((m) => [m.id, m.role, m.text, m.status])).toEqual([
      ["u-1", "user", "Hi Claude", "complete"],
      ["a-1", "assistant", "Hello **there**", "complete"],
    ]);
    expect(chat.messages[1].usage).toEqual(USAGE);
    expect(chat.messages[1].stopReason).toBe("end_turn");
    expect(stream?.request.settings).toBeNull();
    expect(chat.activeId).toBe("conv-1");
    expect(chat.streaming).toBe(false);
    expect(chat.error).toBeNull();
    await tick();
    expect(calls.filter((c) => c.cmd === "list_conversations")).toHaveLength(2); // once when the conversation is stored (started), once when the answer ends
    expect(chat.conversations).toEqual([SUMMARY]);
  });

  it("batches deltas into one update per frame", async () => {
    const frames = manualFrames();
    const finish = deferred();
    let stream: FakeStream | undefined;
    mockBackend({
      send_message: async (args) => {
        stream = new FakeStream(args);
        await finish.promise;
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession({ schedule: frames.schedule });

    const done = chat.send("Count", "m");
    await tick();
    expect(chat.streaming).toBe(true);
    expect(chat.messages.at(-1)?.status).toBe("streaming");

    stream!.emit(STARTED);
    stream!.emit({ type: "delta", text: "one " });
    stream!.emit({ type: "delta", text: "two " });
    stream!.emit({ type: "delta", text: "three" });
    expect(frames.pending).toBe(1);
    expect(chat.messages.at(-1)?.text).toBe("");

    frames.runAll();
    expect(chat.messages.at(-1)?.text).toBe("one two three");

    stream!.emit({ type: "delta", text: "!" });
    stream!.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    // The terminal event flushes without waiting for a frame.
    expect(chat.messages.at(-1)?.text).toBe("one two three!");
    finish.resolve();
    await done;
    expect(chat.messages.at(-1)?.status).toBe("complete");
  });

  it("continues the open conversation", async () => {
    let request: FakeStream["request"] | undefined;
    mockBackend({
      get_conversation: () => ({ summary: SUMMARY, messages: [] }),
      send_message: async (args) => {
        const stream = new FakeStream(args);
        request = stream.request;
        stream.emit(STARTED);
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [SUMMARY],
    });
    const chat = new ChatSession();
    await chat.openConversation("conv-1");
    await chat.send("More please", "m");
    expect(request?.conversationId).toBe("conv-1");
  });

  it("stop calls stop_stream with the stream id and keeps the partial answer", async () => {
    let stream: FakeStream | undefined;
    const stopped = deferred();
    const calls = mockBackend({
      send_message: async (args) => {
        stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({ type: "delta", text: "Partial answ" });
        await stopped.promise;
        stream.emit({ type: "cancelled" });
        return null;
      },
      stop_stream: () => {
        stopped.resolve();
        return true;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();

    const done = chat.send("Tell me a long story", "m");
    await tick();
    expect(chat.streamId).toBe(stream!.request.streamId);
    await chat.stop();
    await done;

    const stopCall = calls.find((c) => c.cmd === "stop_stream");
    expect(stopCall?.args).toEqual({ streamId: stream!.request.streamId });
    expect(chat.messages.at(-1)).toMatchObject({ role: "assistant", text: "Partial answ", status: "cancelled" });
    expect(chat.streaming).toBe(false);
    expect(chat.error).toBeNull();
  });

  it("surfaces a failed event's error kind", async () => {
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({ type: "delta", text: "Begin" });
        stream.emit({
          type: "failed",
          error: { kind: "throttled", code: "ThrottlingException", message: "ThrottlingException: rate exceeded", parameters: [] },
        });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    await chat.send("Hi", "m");

    expect(chat.error).toEqual({ kind: "throttled", code: "ThrottlingException", message: "ThrottlingException: rate exceeded", parameters: [] });
    // Text had arrived: kept as incomplete, as the backend stores it (Retry and Continue).
    expect(chat.messages.at(-1)).toMatchObject({ text: "Begin", status: "incomplete" });
    expect(chat.messages.at(-1)?.error?.kind).toBe("throttled");
  });

  it("marks an answer that failed before any text as failed", async () => {
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({
          type: "failed",
          error: { kind: "accessDenied", code: "AccessDeniedException", message: "denied", parameters: [] },
        });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    await chat.send("Hi", "m");
    expect(chat.messages.at(-1)).toMatchObject({ text: "", status: "failed" });
  });

  it("shows a retry countdown while throttled and clears it when the answer arrives", async () => {
    const THROTTLED = { kind: "throttled", code: "ThrottlingException", message: "ThrottlingException: slow down", parameters: [] } satisfies CairnError;
    let retrySeen: unknown = null;
    let chat: ChatSession | null = null;
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({ type: "retrying", attempt: 1, maxAttempts: 3, waitMs: 2000, error: THROTTLED });
        await tick();
        retrySeen = chat?.messages.at(-1)?.retry ?? null;
        stream.emit({ type: "delta", text: "Finally" });
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [],
    });
    chat = new ChatSession();
    const before = Date.now();
    await chat.send("Hi", "m");

    expect(retrySeen).toMatchObject({ attempt: 1, maxAttempts: 3 });
    const until = (retrySeen as { until: number }).until;
    expect(until).toBeGreaterThanOrEqual(before + 2000);
    expect(chat.messages.at(-1)).toMatchObject({ text: "Finally", status: "complete", retry: null });
    expect(chat.error).toBeNull();
  });

  it("reports an error returned before streaming and puts the view back as it was", async () => {
    mockBackend({
      send_message: () => Promise.reject({ kind: "notFound", message: "unknown model x" }),
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    await chat.send("Hi", "x");

    expect(chat.error?.kind).toBe("notFound");
    // Nothing was stored: no message stays, and the text is kept for the composer.
    expect(chat.messages).toHaveLength(0);
    expect(chat.failedSend).toMatchObject({ input: { text: "Hi", action: null }, stored: false, answerId: null });
    expect(chat.streaming).toBe(false);
  });

  it("waits for a terminal event that arrives after the command's reply", async () => {
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit(STARTED);
        stream.emit({ type: "delta", text: "Late" });
        setTimeout(() => stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" }), 20);
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    await chat.send("Hi", "m");
    expect(chat.messages.at(-1)).toMatchObject({ text: "Late", status: "complete", usage: { outputTokens: 34 } });
  });

  it.each(["", "   ", "\n\t "])("does not send blank text %j", async (text) => {
    const calls = mockBackend({ list_conversations: () => [] });
    const chat = new ChatSession();
    expect(await chat.send(text, "m")).toBe(false);
    expect(calls.some((c) => c.cmd === "send_message")).toBe(false);
    expect(chat.messages).toHaveLength(0);
  });

  it("does not start a second stream while one is running", async () => {
    const finish = deferred();
    const calls = mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        await finish.promise;
        stream.emit({ type: "cancelled" });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    const first = chat.send("one", "m");
    await tick();
    expect(await chat.send("two", "m")).toBe(false);
    finish.resolve();
    await first;
    expect(calls.filter((c) => c.cmd === "send_message")).toHaveLength(1);
  });
});

describe("ChatSession settings and cost", () => {
  it("sends the given settings with the request", async () => {
    let request: FakeStream["request"] | undefined;
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        request = stream.request;
        stream.emit(STARTED);
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    const settings = {
      api: "invokeModel" as const,
      system: "Be brief.",
      maxTokens: 300,
      temperature: 0.2,
      topP: null,
      topK: 40,
      stopSequences: ["END"],
      thinkingBudget: null,
      context1m: false,
    };
    await chat.send("Hi", "m", settings);
    expect(request?.settings).toEqual(settings);
  });

  it("sums the answers' costs of the view and skips unknown ones", async () => {
    const costs = [0.01, null, 0.0023];
    let n = 0;
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit({ ...STARTED, userMessageId: `u-${n}`, assistantMessageId: `a-${n}` });
        const costUsd = costs[n++];
        stream.emit({ type: "done", usage: { ...USAGE, costUsd, priceDate: costUsd === null ? null : "2026-11-01" }, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    expect(chat.totalCost).toBeNull();
    await chat.send("one", "m");
    await chat.send("two", "m");
    expect(chat.totalCost).toBeCloseTo(0.01);
    await chat.send("three", "m");
    expect(chat.totalCost).toBeCloseTo(0.0123);
    expect(chat.totalPriceDate).toBe("2026-11-01");
    chat.newChat();
    expect(chat.totalCost).toBeNull();
  });
});

describe("ChatSession conversations", () => {
  it("opens a stored conversation", async () => {
    mockBackend({
      get_conversation: (args) => {
        expect(args).toEqual({ id: "conv-1" });
        return {
          summary: SUMMARY,
          messages: [
            { id: "u", role: "user", text: "Q", thinking: null, status: "complete", modelId: null, usage: null, createdAt: "2025-01-01T10:00:00Z" },
            { id: "a", role: "assistant", text: "A", thinking: null, status: "incomplete", modelId: "m", usage: { ...USAGE, inputTokens: 1, outputTokens: 2 }, createdAt: "2025-01-01T10:00:01Z" },
          ],
        };
      },
    });
    const chat = new ChatSession();
    await chat.openConversation("conv-1");
    expect(chat.activeId).toBe("conv-1");
    expect(chat.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "Q", "complete"],
      ["assistant", "A", "incomplete"],
    ]);

    chat.newChat();
    expect(chat.activeId).toBeNull();
    expect(chat.messages).toEqual([]);
  });

  it("shows a storage error when the list cannot be read", async () => {
    mockBackend({ list_conversations: () => Promise.reject({ kind: "storage", message: "database is locked" }) });
    const chat = new ChatSession();
    await chat.loadConversations();
    expect(chat.error?.kind).toBe("storage");
    expect(chat.conversationsLoaded).toBe(true);
  });
});

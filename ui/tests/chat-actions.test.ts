import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { ChatSession } from "../src/lib/features/chat/chat.svelte";
import { answerOffers, countWords, sumUsage } from "../src/lib/features/chat/answers";
import type { CairnError, ChatEvent, SendRequest } from "../src/lib/ipc";
import { FakeStream, deferred, mockBackend, tick } from "./ipc-mock";
import { USAGE, stored } from "./dom";

afterEach(() => clearMocks());

const SUMMARY = { id: "c1", title: "T", modelId: "m", updatedAt: "2025-01-01T10:00:00Z", messageCount: 4, pinned: false };

/** Opens c1 with `messages`; each send_message answers with `script(request)`. */
async function session(messages: unknown[], script: (request: SendRequest) => ChatEvent[] | Promise<never>) {
  const requests: SendRequest[] = [];
  const calls = mockBackend({
    get_conversation: () => ({ summary: SUMMARY, messages }),
    list_conversations: () => [SUMMARY],
    send_message: async (args) => {
      const stream = new FakeStream(args);
      requests.push(stream.request);
      const events = script(stream.request);
      if (events instanceof Promise) return events;
      for (const event of events) stream.emit(event);
      return null;
    },
  });
  const chat = new ChatSession();
  await chat.openConversation("c1");
  return { chat, requests, calls };
}

const CONVERSATION = [
  stored("u1", "user", "First question"),
  stored("a1", "assistant", "First answer", { usage: USAGE }),
  stored("u2", "user", "Second question"),
  stored("a2", "assistant", "Second answer", { usage: USAGE }),
];

function started(user: string, assistant: string, continuedFrom: string | null = null): ChatEvent {
  return { type: "started", conversationId: "c1", userMessageId: user, assistantMessageId: assistant, continuedFrom };
}

const done = (stopReason = "end_turn"): ChatEvent => ({ type: "done", usage: USAGE, stopReason });

describe("editing a user message", () => {
  it("sends action edit with the new text, drops the later messages and streams the new answer", async () => {
    const { chat, requests } = await session(CONVERSATION, () => [
      started("u1", "a9"),
      { type: "delta", text: "New answer" },
      done(),
    ]);
    chat.startEdit("u1");
    expect(chat.editing).toEqual({ messageId: "u1", text: "First question" });

    expect(await chat.edit("u1", "Better question", "m")).toBe(true);
    expect(requests[0]).toMatchObject({ conversationId: "c1", text: "Better question", action: { type: "edit", messageId: "u1" } });
    expect(chat.messages.map((m) => [m.id, m.text, m.status])).toEqual([
      ["u1", "Better question", "complete"],
      ["a9", "New answer", "complete"],
    ]);
    expect(chat.editing).toBeNull();
  });

  it("drops the later messages locally as soon as the edit is sent", async () => {
    const finish = deferred();
    let stream: FakeStream | undefined;
    mockBackend({
      get_conversation: () => ({ summary: SUMMARY, messages: CONVERSATION }),
      list_conversations: () => [SUMMARY],
      send_message: async (args) => {
        stream = new FakeStream(args);
        await finish.promise;
        stream.emit({ type: "cancelled" });
        return null;
      },
    });
    const chat = new ChatSession();
    await chat.openConversation("c1");
    const sending = chat.edit("u1", "Changed", "m");
    await tick();
    expect(chat.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "Changed", "complete"],
      ["assistant", "", "streaming"],
    ]);
    finish.resolve();
    await sending;
  });

  it("refuses blank edits, assistant messages and unknown IDs", async () => {
    const { chat, requests } = await session(CONVERSATION, () => [done()]);
    expect(await chat.edit("u1", "   ", "m")).toBe(false);
    expect(await chat.edit("a1", "x", "m")).toBe(false);
    expect(await chat.edit("nope", "x", "m")).toBe(false);
    chat.startEdit("a1");
    expect(chat.editing).toBeNull();
    expect(requests).toHaveLength(0);
    expect(chat.messages).toHaveLength(4);
  });

  it("puts everything back and reopens the editor when the edit is refused before anything is stored", async () => {
    const refusal = { kind: "invalidInput", code: "TemperatureWithTopP", message: "both", parameters: ["topP"] };
    const { chat } = await session(CONVERSATION, () => Promise.reject(refusal));
    await chat.edit("u1", "Changed", "m");
    expect(chat.messages.map((m) => [m.id, m.text])).toEqual([
      ["u1", "First question"],
      ["a1", "First answer"],
      ["u2", "Second question"],
      ["a2", "Second answer"],
    ]);
    expect(chat.editing).toEqual({ messageId: "u1", text: "Changed" });
    expect(chat.error?.parameters).toEqual(["topP"]);
    expect(chat.failedSend).toMatchObject({ stored: false, input: { text: "Changed", action: { type: "edit", messageId: "u1" } } });
  });
});

describe("regenerate, retry and continue", () => {
  it("regenerates an answer: it and everything after it go, the new answer streams in its place", async () => {
    const { chat, requests } = await session(CONVERSATION, () => [started("u1", "a7"), { type: "delta", text: "Fresh" }, done()]);
    await chat.regenerate("a1", "m");
    expect(requests[0]).toMatchObject({ text: "", action: { type: "regenerate", messageId: "a1" } });
    expect(chat.messages.map((m) => [m.id, m.text])).toEqual([
      ["u1", "First question"],
      ["a7", "Fresh"],
    ]);
    expect(await chat.regenerate("u1", "m")).toBe(false);
  });

  it("continues the last answer from the text the backend kept and appends the deltas", async () => {
    const partial = [stored("u1", "user", "Q"), stored("a1", "assistant", "Once upon a time   ", { status: "cancelled" })];
    const { chat, requests } = await session(partial, () => [
      started("u1", "a1", "Once upon a time"),
      { type: "delta", text: ", there was a cairn." },
      done(),
    ]);
    await chat.continueAnswer("a1", "m");
    expect(requests[0]).toMatchObject({ text: "", action: { type: "continue", messageId: "a1" } });
    expect(chat.messages).toHaveLength(2);
    expect(chat.messages[1]).toMatchObject({ id: "a1", text: "Once upon a time, there was a cairn.", status: "complete" });
  });

  it("continues only the last answer", async () => {
    const { chat, requests } = await session(CONVERSATION, () => [done()]);
    expect(await chat.continueAnswer("a1", "m")).toBe(false);
    expect(requests).toHaveLength(0);
  });

  it("keeps the stop reason, so an answer cut at max tokens can be continued", async () => {
    const { chat } = await session([], () => [started("u1", "a1"), { type: "delta", text: "Long" }, done("max_tokens")]);
    await chat.send("Write a lot", "m");
    const answer = chat.messages[1];
    expect(answer.stopReason).toBe("max_tokens");
    expect(answerOffers(answer, true)).toEqual({ retry: false, regenerate: true, continue: true });
    expect(answerOffers(answer, false).continue).toBe(false);
  });

  it("offers Retry on failed, incomplete and stopped answers, Continue on the last with text", () => {
    const answer = (status: "failed" | "incomplete" | "cancelled" | "complete" | "streaming", text = "partial") => ({
      role: "assistant" as const,
      status,
      text,
      stopReason: null,
    });
    expect(answerOffers(answer("failed"), true)).toEqual({ retry: true, regenerate: false, continue: false });
    expect(answerOffers(answer("incomplete"), true)).toEqual({ retry: true, regenerate: false, continue: true });
    expect(answerOffers(answer("cancelled"), false)).toEqual({ retry: true, regenerate: false, continue: false });
    expect(answerOffers(answer("cancelled", "  "), true).continue).toBe(false);
    expect(answerOffers(answer("complete"), true)).toEqual({ retry: false, regenerate: true, continue: false });
    expect(answerOffers(answer("streaming"), true)).toEqual({ retry: false, regenerate: false, continue: false });
    expect(answerOffers({ role: "user", status: "complete", text: "q" }, true)).toEqual({ retry: false, regenerate: false, continue: false });
  });

  it("after the automatic retries run out, resend regenerates the failed answer", async () => {
    const throttled: CairnError = { kind: "throttled", code: "ThrottlingException", message: "slow down", parameters: [] };
    let attempt = 0;
    const { chat, requests } = await session([], () =>
      attempt++ === 0
        ? [
            started("u1", "a1"),
            { type: "retrying", attempt: 1, maxAttempts: 2, waitMs: 1, error: throttled },
            { type: "retrying", attempt: 2, maxAttempts: 2, waitMs: 1, error: throttled },
            { type: "failed", error: throttled },
          ]
        : [started("u1", "a2"), { type: "delta", text: "Made it" }, done()],
    );
    await chat.send("Busy?", "m");
    expect(chat.failedSend).toMatchObject({ stored: true, answerId: "a1", retriesExhausted: true });
    expect(chat.messages[1].status).toBe("failed");

    expect(await chat.resend()).toBe(true);
    expect(requests[1]).toMatchObject({ text: "", action: { type: "regenerate", messageId: "a1" } });
    expect(chat.messages.map((m) => [m.id, m.text, m.status])).toEqual([
      ["u1", "Busy?", "complete"],
      ["a2", "Made it", "complete"],
    ]);
    expect(chat.failedSend).toBeNull();
    expect(chat.error).toBeNull();
  });

  it("a throttled failure without retries is not marked as retries exhausted", async () => {
    const throttled: CairnError = { kind: "throttled", code: "ThrottlingException", message: "slow", parameters: [] };
    const { chat } = await session([], () => [started("u1", "a1"), { type: "failed", error: throttled }]);
    await chat.send("Hi", "m");
    expect(chat.failedSend?.retriesExhausted).toBe(false);
  });

  it("does nothing while an answer streams", async () => {
    const finish = deferred();
    const calls = mockBackend({
      get_conversation: () => ({ summary: SUMMARY, messages: CONVERSATION }),
      list_conversations: () => [SUMMARY],
      send_message: async (args) => {
        const stream = new FakeStream(args);
        await finish.promise;
        stream.emit({ type: "cancelled" });
        return null;
      },
    });
    const chat = new ChatSession();
    await chat.openConversation("c1");
    const first = chat.send("One more", "m");
    await tick();
    expect(await chat.regenerate("a1", "m")).toBe(false);
    expect(await chat.edit("u1", "x", "m")).toBe(false);
    chat.startEdit("u1");
    expect(chat.editing).toBeNull();
    finish.resolve();
    await first;
    expect(calls.filter((c) => c.cmd === "send_message")).toHaveLength(1);
  });
});

describe("thinking and usage in the session", () => {
  it("streams thinking before the answer, once per frame", async () => {
    const frames: Array<() => void> = [];
    let stream: FakeStream | undefined;
    const finish = deferred();
    mockBackend({
      list_conversations: () => [],
      send_message: async (args) => {
        stream = new FakeStream(args);
        await finish.promise;
        return null;
      },
    });
    const chat = new ChatSession({ schedule: (run) => void frames.push(run) });
    const sending = chat.send("Think", "m");
    await tick();
    stream!.emit(started("u1", "a1"));
    stream!.emit({ type: "thinking", text: "Let me " });
    stream!.emit({ type: "thinking", text: "think." });
    expect(chat.messages[1].thinking).toBeNull();
    for (const run of frames.splice(0)) run();
    expect(chat.messages[1]).toMatchObject({ thinking: "Let me think.", text: "" });
    stream!.emit({ type: "delta", text: "Answer" });
    stream!.emit(done());
    finish.resolve();
    await sending;
    expect(chat.messages[1]).toMatchObject({ thinking: "Let me think.", text: "Answer", status: "complete" });
  });

  it("sums the stored usage of a reopened conversation and the new answers", async () => {
    const { chat } = await session(
      [
        stored("u1", "user", "Q"),
        stored("a1", "assistant", "A", { usage: { ...USAGE, cacheReadTokens: 100, costUsd: 0.01, priceDate: "2026-10-01" } }),
        stored("u2", "user", "Q2"),
        stored("a2", "assistant", "A2", { usage: { ...USAGE, costUsd: null, priceDate: null } }),
      ],
      () => [started("u3", "a3"), done()],
    );
    expect(chat.totalUsage).toEqual({
      inputTokens: 24,
      outputTokens: 68,
      cacheReadTokens: 100,
      cacheWriteTokens: 0,
      costUsd: 0.01,
      priceDate: "2026-10-01",
    });
    await chat.send("Q3", "m");
    expect(chat.totalUsage?.inputTokens).toBe(36);
    expect(chat.totalCost).toBeCloseTo(0.0223);
    expect(chat.totalPriceDate).toBe("2026-11-01");
  });

  it("sums nothing when no answer has usage", () => {
    expect(sumUsage([{ usage: null }, {}])).toBeNull();
  });

  it("counts words in English and Chinese", () => {
    expect(countWords("")).toBe(0);
    expect(countWords("Let me think about it, carefully.")).toBe(6);
    expect(countWords("我想一想 OK")).toBe(5);
    expect(countWords("don't re-run")).toBe(2);
  });
});

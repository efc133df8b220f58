import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import AnswerUsage from "../src/lib/components/AnswerUsage.svelte";
import MessageBubble from "../src/lib/components/MessageBubble.svelte";
import { defaultSettings } from "../src/lib/features/chat/settings";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { CairnError, ChatEvent, SendRequest } from "../src/lib/ipc";
import { FakeStream, deferred, mockBackend, tick } from "./ipc-mock";
import {
  DEMO_STATUS,
  MODELS,
  USAGE,
  allByTestId,
  byTestId,
  press,
  removeClipboard,
  render,
  settle,
  stored,
  stubClipboard,
  type,
  unmountAll,
} from "./dom";

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  unmountAll();
  clearMocks();
  removeClipboard();
});

const SUMMARY = { id: "c1", title: "Cairns", modelId: "global.a.sonnet", updatedAt: "2025-01-01T10:00:00Z", messageCount: 4, pinned: false };

const CODE_ANSWER = "Here:\n\n```python\nprint('<hi>')\n```\n\nDone.";

function startedEvent(user: string, assistant: string, continuedFrom: string | null = null): ChatEvent {
  return { type: "started", conversationId: "c1", userMessageId: user, assistantMessageId: assistant, continuedFrom };
}

/** The app with conversation c1 open; `answer` scripts each send_message. */
async function openApp(
  messages: unknown[],
  answer: (request: SendRequest, stream: FakeStream) => Promise<unknown> | unknown = (request, stream) => {
    stream.emit(startedEvent("u1", "a-new"));
    stream.emit({ type: "delta", text: `Answer to ${request.action?.type ?? "message"}` });
    stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    return null;
  },
) {
  const requests: SendRequest[] = [];
  mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => MODELS,
    list_conversations: () => [SUMMARY],
    get_conversation: () => ({ summary: SUMMARY, messages }),
    conversation_settings: () => defaultSettings(),
    send_message: async (args) => {
      const stream = new FakeStream(args);
      requests.push(stream.request);
      return answer(stream.request, stream);
    },
  });
  const root = render(App, {});
  await settle();
  byTestId<HTMLButtonElement>(root, "conversation-item")!.click();
  await settle();
  return { root, requests };
}

function messageById(root: ParentNode, id: string): HTMLElement {
  const found = allByTestId(root, "message").find((m) => m.dataset.messageId === id);
  if (!found) throw new Error(`no message ${id}`);
  return found;
}

const CONVERSATION = [
  stored("u1", "user", "What is a cairn?"),
  stored("a1", "assistant", CODE_ANSWER, { usage: USAGE }),
  stored("u2", "user", "How tall?"),
  stored("a2", "assistant", "About **1 m**.", { usage: USAGE }),
];

describe("editing a message in place", () => {
  it("Edit opens a textarea; Enter sends action edit, the later messages go and the new answer streams", async () => {
    const { root, requests } = await openApp(CONVERSATION);
    const edit = byTestId<HTMLButtonElement>(messageById(root, "u1"), "edit-message")!;
    expect(edit.getAttribute("aria-label")).toBe("Edit your message");
    expect(edit.tagName).toBe("BUTTON");
    edit.click();
    flushSync();

    const input = byTestId<HTMLTextAreaElement>(root, "edit-input")!;
    expect(input.value).toBe("What is a cairn?");
    expect(document.activeElement).toBe(input);
    expect(root.querySelector(`label[for="${input.id}"]`)?.textContent).toBe("Your edited message");

    type(input, "What is a cairn, exactly?");
    const shifted = press(input, "Enter", { shiftKey: true });
    expect(shifted.defaultPrevented).toBe(false);
    expect(requests).toHaveLength(0);

    press(input, "Enter");
    await settle();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      conversationId: "c1",
      text: "What is a cairn, exactly?",
      action: { type: "edit", messageId: "u1" },
    });
    expect(byTestId(root, "edit-input")).toBeNull();
    const shown = allByTestId(root, "message").map((m) => [m.dataset.role, byTestId(m, "message-text")?.textContent?.trim()]);
    expect(shown).toEqual([
      ["user", "What is a cairn, exactly?"],
      ["assistant", "Answer to edit"],
    ]);
  });

  it("Esc cancels without sending and gives focus back to Edit", async () => {
    const { root, requests } = await openApp(CONVERSATION);
    byTestId<HTMLButtonElement>(messageById(root, "u2"), "edit-message")!.click();
    flushSync();
    const input = byTestId<HTMLTextAreaElement>(root, "edit-input")!;
    type(input, "Changed my mind");
    press(input, "Escape");
    await settle();
    expect(byTestId(root, "edit-input")).toBeNull();
    expect(requests).toHaveLength(0);
    expect(byTestId(messageById(root, "u2"), "message-text")?.textContent).toBe("How tall?");
    expect(document.activeElement).toBe(byTestId(messageById(root, "u2"), "edit-message"));
  });

  it("does not save on Enter while an input method is composing, nor a blank edit", async () => {
    const { root, requests } = await openApp(CONVERSATION);
    byTestId<HTMLButtonElement>(messageById(root, "u1"), "edit-message")!.click();
    flushSync();
    const input = byTestId<HTMLTextAreaElement>(root, "edit-input")!;
    type(input, "你好");
    press(input, "Enter", { isComposing: true });
    type(input, "   ");
    press(input, "Enter");
    expect(byTestId<HTMLButtonElement>(root, "edit-save")!.disabled).toBe(true);
    await settle();
    expect(requests).toHaveLength(0);
  });
});

describe("answer actions", () => {
  it("Regenerate sends action regenerate for that answer and replaces it and what follows", async () => {
    const { root, requests } = await openApp(CONVERSATION);
    const regenerate = byTestId<HTMLButtonElement>(messageById(root, "a1"), "regenerate-answer")!;
    expect(regenerate.getAttribute("aria-label")).toBe("Regenerate this answer");
    regenerate.click();
    await settle();
    expect(requests[0]).toMatchObject({ text: "", action: { type: "regenerate", messageId: "a1" } });
    expect(allByTestId(root, "message").map((m) => m.dataset.messageId)).toEqual(["u1", "a-new"]);
  });

  it("Copy copies the answer's raw Markdown and says Copied", async () => {
    const written = stubClipboard();
    const { root } = await openApp(CONVERSATION);
    const answer = messageById(root, "a2");
    const copy = byTestId<HTMLButtonElement>(answer, "copy-answer")!;
    expect(copy.getAttribute("aria-label")).toBe("Copy this answer as Markdown");
    copy.click();
    await settle();
    expect(written).toEqual(["About **1 m**."]);
    const notice = byTestId(answer, "action-notice")!;
    expect(notice.getAttribute("role")).toBe("status");
    expect(notice.textContent).toBe("Copied");
  });

  it("says so when the clipboard refuses", async () => {
    stubClipboard(false);
    const { root } = await openApp(CONVERSATION);
    const answer = messageById(root, "a2");
    byTestId<HTMLButtonElement>(answer, "copy-answer")!.click();
    await settle();
    expect(byTestId(answer, "action-notice")!.textContent).toContain("Could not copy");
  });

  it("gives every code block a Copy button that copies exactly the code", async () => {
    const written = stubClipboard();
    const { root } = await openApp(CONVERSATION);
    const answer = messageById(root, "a1");
    await settle();
    const pre = answer.querySelector("pre")!;
    const button = byTestId<HTMLButtonElement>(pre, "copy-code")!;
    expect(button.getAttribute("aria-label")).toBe("Copy this code");
    expect(button.dataset.label).toBe("Copy");
    // The label is drawn by CSS, so the answer's text stays the answer's own.
    expect(button.textContent).toBe("");
    expect(pre.querySelector("code")?.className).toContain("language-python");
    button.click();
    await settle();
    expect(written).toEqual(["print('<hi>')\n"]);
    expect(button.dataset.label).toBe("Copied");
    expect(byTestId(answer, "action-notice")!.textContent).toBe("Copied");
  });

  it("adds Copy buttons to code blocks that appear while the answer streams", async () => {
    const frames: Array<() => void> = [];
    vi.stubGlobal("requestAnimationFrame", (run: () => void) => frames.push(run));
    const finish = deferred();
    let stream: FakeStream | undefined;
    const { root } = await openApp([], async (_request, s) => {
      stream = s;
      await finish.promise;
      return null;
    });
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Code please");
    press(byTestId(root, "composer-input")!, "Enter");
    await settle();
    stream!.emit(startedEvent("u1", "a1"));
    stream!.emit({ type: "delta", text: "Try:\n\n```sh\necho hi\n" });
    for (const run of frames.splice(0)) run();
    await settle();
    stream!.emit({ type: "delta", text: "```\n\nAnd:\n\n```js\nlet x = 1;\n```\n" });
    for (const run of frames.splice(0)) run();
    await settle();
    const answer = allByTestId(root, "message").at(-1)!;
    expect(answer.querySelectorAll("pre")).toHaveLength(2);
    for (const pre of answer.querySelectorAll("pre")) expect(pre.querySelectorAll('[data-testid="copy-code"]')).toHaveLength(1);
    // While streaming, nothing that sends again is offered.
    expect(byTestId(answer, "regenerate-answer")).toBeNull();
    expect(byTestId<HTMLButtonElement>(root, "edit-message")!.disabled).toBe(true);
    stream!.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    finish.resolve();
    await settle();
    expect(byTestId<HTMLButtonElement>(root, "edit-message")!.disabled).toBe(false);
    vi.unstubAllGlobals();
  });
});

describe("failed and interrupted answers", () => {
  const interrupted = (status: string) => [
    stored("u1", "user", "Tell me a story"),
    stored("a1", "assistant", "Once upon a time", { status }),
  ];

  it.each(["incomplete", "cancelled"])("a %s last answer offers Retry and Continue", async (status) => {
    const { root, requests } = await openApp(interrupted(status), (_request, stream) => {
      stream.emit(startedEvent("u1", "a1", "Once upon a time"));
      stream.emit({ type: "delta", text: " there was a cairn." });
      stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
      return null;
    });
    const answer = messageById(root, "a1");
    expect(byTestId(answer, "regenerate-answer")).toBeNull();
    expect(byTestId(answer, "retry-answer")?.textContent?.trim()).toBe("Retry");
    const resume = byTestId<HTMLButtonElement>(answer, "continue-answer")!;
    expect(resume.getAttribute("aria-label")).toBe("Continue this answer where it stopped");
    resume.click();
    await settle();
    expect(requests[0]).toMatchObject({ text: "", action: { type: "continue", messageId: "a1" } });
    const after = messageById(root, "a1");
    expect(after.dataset.status).toBe("complete");
    expect(byTestId(after, "message-text")?.textContent?.trim()).toBe("Once upon a time there was a cairn.");
  });

  it("Retry regenerates a failed answer; a failed answer offers no Continue", async () => {
    const { root, requests } = await openApp(interrupted("failed"));
    const answer = messageById(root, "a1");
    expect(byTestId(answer, "continue-answer")).toBeNull();
    byTestId<HTMLButtonElement>(answer, "retry-answer")!.click();
    await settle();
    expect(requests[0]).toMatchObject({ action: { type: "regenerate", messageId: "a1" } });
  });

  it("Continue is offered only on the last answer", async () => {
    const { root } = await openApp([...interrupted("cancelled"), stored("u2", "user", "Go on"), stored("a2", "assistant", "Sure")]);
    expect(byTestId(messageById(root, "a1"), "retry-answer")).not.toBeNull();
    expect(byTestId(messageById(root, "a1"), "continue-answer")).toBeNull();
  });

  it("an answer that stops at max tokens offers Continue", async () => {
    const { root, requests } = await openApp([], (request, stream) => {
      stream.emit(startedEvent("u1", "a1", request.action?.type === "continue" ? "Part one" : null));
      stream.emit({ type: "delta", text: request.action ? " and part two." : "Part one" });
      stream.emit({ type: "done", usage: USAGE, stopReason: request.action ? "end_turn" : "max_tokens" });
      return null;
    });
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Write a lot");
    press(byTestId(root, "composer-input")!, "Enter");
    await settle();
    const answer = messageById(root, "a1");
    expect(byTestId(answer, "max-tokens-reached")?.textContent).toBe("Stopped at the max tokens setting.");
    byTestId<HTMLButtonElement>(answer, "continue-answer")!.click();
    await settle();
    expect(requests[1]).toMatchObject({ action: { type: "continue", messageId: "a1" } });
    expect(byTestId(messageById(root, "a1"), "message-text")?.textContent?.trim()).toBe("Part one and part two.");
    expect(byTestId(messageById(root, "a1"), "continue-answer")).toBeNull();
  });

  it("a reopened answer that stopped at max tokens still offers Continue", async () => {
    const { root } = await openApp([
      stored("u1", "user", "Write a lot"),
      stored("a1", "assistant", "Part one", { stopReason: "max_tokens" }),
    ]);
    const answer = messageById(root, "a1");
    expect(byTestId(answer, "max-tokens-reached")).not.toBeNull();
    expect(byTestId(answer, "continue-answer")).not.toBeNull();
  });

  it("after automatic retries run out, the error notice offers Retry, which regenerates", async () => {
    const throttled: CairnError = { kind: "throttled", code: "ThrottlingException", message: "Too many requests", parameters: [] };
    let round = 0;
    const { root, requests } = await openApp([], (_request, stream) => {
      if (round++ === 0) {
        stream.emit(startedEvent("u1", "a1"));
        stream.emit({ type: "retrying", attempt: 1, maxAttempts: 1, waitMs: 1, error: throttled });
        stream.emit({ type: "failed", error: throttled });
      } else {
        stream.emit(startedEvent("u1", "a2"));
        stream.emit({ type: "delta", text: "Finally" });
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
      }
      return null;
    });
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Busy hour");
    press(byTestId(root, "composer-input")!, "Enter");
    await settle();
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.kind).toBe("throttled");
    const retry = byTestId<HTMLButtonElement>(notice, "error-retry")!;
    expect(retry.textContent).toBe("Retry");
    retry.click();
    await settle();
    expect(requests[1]).toMatchObject({ text: "", action: { type: "regenerate", messageId: "a1" } });
    expect(byTestId(root, "error-notice")).toBeNull();
    expect(allByTestId(root, "message").map((m) => [m.dataset.messageId, m.dataset.status])).toEqual([
      ["u1", "complete"],
      ["a2", "complete"],
    ]);
  });

  it("disables every action that sends while a stream runs", async () => {
    const finish = deferred();
    const { root } = await openApp(interrupted("cancelled"), async (_request, stream) => {
      stream.emit(startedEvent("u1", "a1", "Once upon a time"));
      await finish.promise;
      stream.emit({ type: "cancelled" });
      return null;
    });
    byTestId<HTMLButtonElement>(root, "continue-answer")!.click();
    await settle();
    expect(byTestId<HTMLButtonElement>(root, "edit-message")!.disabled).toBe(true);
    expect(byTestId(root, "continue-answer")).toBeNull();
    finish.resolve();
    await settle();
    for (const id of ["edit-message", "retry-answer", "continue-answer"]) {
      expect(byTestId<HTMLButtonElement>(root, id)!.disabled, id).toBe(false);
    }
  });
});

describe("thinking", () => {
  it("shows thinking collapsed above the answer: Thinking… while it streams, then Thought for N words", async () => {
    const frames: Array<() => void> = [];
    vi.stubGlobal("requestAnimationFrame", (run: () => void) => frames.push(run));
    const finish = deferred();
    let stream: FakeStream | undefined;
    const { root } = await openApp([], async (_request, s) => {
      stream = s;
      await finish.promise;
      return null;
    });
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Think hard");
    press(byTestId(root, "composer-input")!, "Enter");
    await settle();
    stream!.emit(startedEvent("u1", "a1"));
    stream!.emit({ type: "thinking", text: "First, consider " });
    stream!.emit({ type: "thinking", text: "the stones here." });
    for (const run of frames.splice(0)) run();
    await settle();

    const answer = messageById(root, "a1");
    const details = byTestId<HTMLDetailsElement>(answer, "thinking")!;
    expect(details.tagName).toBe("DETAILS");
    expect(details.open).toBe(false);
    expect(byTestId(answer, "thinking-summary")?.textContent).toContain("Thinking…");
    // Above the answer.
    expect(details.compareDocumentPosition(byTestId(answer, "message-text")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    stream!.emit({ type: "delta", text: "The answer." });
    stream!.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    finish.resolve();
    await settle();
    const summary = byTestId(messageById(root, "a1"), "thinking-summary")!;
    expect(summary.textContent).toContain("Thought for 5 words");
    expect(summary.textContent).toContain("Show thinking");
    expect(byTestId(messageById(root, "a1"), "message-text")?.textContent?.trim()).toBe("The answer.");
    vi.unstubAllGlobals();
  });

  it("shows stored thinking collapsed, opens from the keyboard and shows it as plain text", async () => {
    const { root } = await openApp([
      stored("u1", "user", "Q"),
      stored("a1", "assistant", "A", { thinking: "Consider <img src=x onerror=alert(1)> **this**" }),
    ]);
    const details = byTestId<HTMLDetailsElement>(root, "thinking")!;
    const summary = byTestId<HTMLElement>(details, "thinking-summary")!;
    expect(summary.tagName).toBe("SUMMARY");
    expect(details.open).toBe(false);
    expect(summary.textContent).toContain("Thought for 8 words");
    // <summary> is the native keyboard control of <details>: opening it fires "toggle".
    details.open = true;
    details.dispatchEvent(new Event("toggle"));
    await settle();
    const text = byTestId(details, "thinking-text")!;
    expect(text.textContent).toBe("Consider <img src=x onerror=alert(1)> **this**");
    expect(text.querySelector("img, strong")).toBeNull();
    expect(summary.textContent).toContain("Hide thinking");
  });
});

describe("usage", () => {
  it("shows input, output, cache, time to first token, total time and the estimate", () => {
    const root = render(AnswerUsage, {
      usage: { ...USAGE, inputTokens: 1200, cacheReadTokens: 3000, cacheWriteTokens: 500, firstTokenMs: 850, totalMs: 4321 },
    });
    expect(byTestId(root, "usage")?.textContent?.trim()).toBe(
      "1,200 input tokens · 34 output tokens · 3,000 cache read tokens · 500 cache write tokens · " +
        "first token after 0.9 s · 4.3 s in total · ≈ $0.0123 (estimate, prices of 2026-11-01)",
    );
  });

  it("leaves out cache tokens when there are none and the estimate when unknown", () => {
    const root = render(AnswerUsage, { usage: { ...USAGE, firstTokenMs: null, totalMs: null, costUsd: null, priceDate: null } });
    expect(byTestId(root, "usage")?.textContent?.trim()).toBe("12 input tokens · 34 output tokens");
  });

  it("a reopened conversation shows each answer's stored usage and the sum of all of them", async () => {
    const { root } = await openApp([
      stored("u1", "user", "Q"),
      stored("a1", "assistant", "A", { usage: { ...USAGE, cacheReadTokens: 10, costUsd: 0.01 } }),
      stored("u2", "user", "Q2"),
      stored("a2", "assistant", "A2", { usage: { ...USAGE, costUsd: 0.02 } }),
    ]);
    expect(allByTestId(root, "usage")).toHaveLength(2);
    expect(byTestId(root, "conversation-total")?.textContent?.trim()).toBe(
      "This conversation: 24 input tokens · 68 output tokens · 10 cache read tokens · ≈ $0.03 (estimate, prices of 2026-11-01)",
    );
  });

  it("speaks Traditional Chinese", () => {
    setLocale("zh-TW");
    const root = render(MessageBubble, {
      message: { id: "a1", role: "assistant", status: "cancelled", text: "x", usage: { ...USAGE, cacheReadTokens: 5 } },
      isLast: true,
      handlers: { startEdit() {}, changeEdit() {}, saveEdit() {}, cancelEdit() {}, regenerate() {}, continueAnswer() {} },
    });
    expect(byTestId(root, "retry-answer")?.textContent?.trim()).toBe("重試");
    expect(byTestId(root, "continue-answer")?.textContent?.trim()).toBe("繼續");
    expect(byTestId(root, "copy-answer")?.textContent?.trim()).toBe("複製");
    expect(byTestId(root, "usage")?.textContent).toContain("快取讀取 5 個 Token");
    expect(byTestId(root, "usage-cost")?.textContent).toContain("預估費用");
  });
});

describe("keyboard", () => {
  it("message actions are buttons in a labelled group; Page Down moves to the next message", async () => {
    const { root } = await openApp(CONVERSATION);
    const group = messageById(root, "u1").querySelector('[role="group"]')!;
    expect(group.getAttribute("aria-label")).toBe("Message actions");
    const edit = byTestId<HTMLButtonElement>(messageById(root, "u1"), "edit-message")!;
    edit.focus();
    press(edit, "PageDown");
    expect(document.activeElement).toBe(messageById(root, "a1"));
    press(document.activeElement!, "PageUp");
    expect(document.activeElement).toBe(messageById(root, "u1"));
    await tick();
  });
});

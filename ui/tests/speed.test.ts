import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import MessageList from "../src/lib/components/MessageList.svelte";
import { ChatSession } from "../src/lib/features/chat/chat.svelte";
import { ESTIMATED_HEIGHT, offsetsOf, visibleRange } from "../src/lib/features/chat/virtual-list";
import { setLocale } from "../src/lib/i18n/index.svelte";
import { renderMarkdown } from "../src/lib/markdown";
import { StreamingMarkdown } from "../src/lib/markdown-stream";
import { FakeStream, deferred, mockBackend, tick } from "./ipc-mock";
import { USAGE, allByTestId, byTestId, render, settle, unmountAll } from "./dom";
import { reactive } from "./reactive.svelte";

// Counts the characters every Markdown parse is given, in the components as well.
const parsed = vi.hoisted(() => ({ calls: [] as number[] }));
vi.mock("../src/lib/markdown", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/lib/markdown")>();
  return {
    ...original,
    renderMarkdown: (source: string) => {
      parsed.calls.push(source.length);
      return original.renderMarkdown(source);
    },
    renderMarkdownCached: (source: string) => {
      parsed.calls.push(source.length);
      return original.renderMarkdownCached(source);
    },
  };
});

beforeEach(() => {
  setLocale("en");
  parsed.calls = [];
});

afterEach(() => {
  unmountAll();
  clearMocks();
});

/**
 * About 100,000 tokens (400 KB) of a long answer: paragraphs, lists, headings and fenced code
 * blocks that themselves contain blank lines (which must not split them).
 */
function longAnswer(): string {
  const parts: string[] = [];
  let n = 0;
  while (parts.join("").length < 400_000) {
    n++;
    parts.push(`## Section ${n}\n\n`);
    parts.push(`${"The cairn marks the trail for those who follow. ".repeat(12)}\n\n`);
    parts.push(`- first point ${n}\n- second point ${n}\n- third point\n\n`);
    parts.push("```python\ndef f():\n    a = 1\n\n    return a\n\n\nprint(f())\n```\n");
    parts.push(`Then **more** text with \`code\` ${n}.\n\n`);
  }
  return parts.join("");
}

/** The answer as it arrives: ~100 tokens (~400 characters) per frame. */
function* frames(text: string, perFrame = 400): Generator<string> {
  for (let end = perFrame; end < text.length + perFrame; end += perFrame) yield text.slice(0, end);
}

describe("incremental Markdown while streaming", () => {
  it("parses only the new blocks and the tail per update, for a 400 KB answer", () => {
    const text = longAnswer();
    expect(text.length).toBeGreaterThanOrEqual(400_000);
    const pieces: string[] = [];
    // The "HTML" of a piece is its source, so the blocks can be checked below.
    const stream = new StreamingMarkdown((source) => {
      pieces.push(source);
      return source;
    });
    let updates = 0;
    let mostInOneUpdate = 0;
    let total = 0;
    let last = stream.update("");
    for (const shown of frames(text)) {
      const before = pieces.length;
      last = stream.update(shown);
      const chars = pieces.slice(before).reduce((sum, p) => sum + p.length, 0);
      mostInOneUpdate = Math.max(mostInOneUpdate, chars);
      total += chars;
      updates++;
    }
    expect(updates).toBeGreaterThan(1000);
    // Bounded by a couple of blocks plus one frame's text, whatever the answer's length…
    expect(mostInOneUpdate).toBeLessThan(3_000);
    // …so the whole stream costs a few times the answer, not (answer length × frames) / 2.
    expect(total).toBeLessThan(text.length * 4);
    // The blocks put together are the answer, and none was cut inside a code fence.
    expect(last.blocks.map((block) => block.html).join("") + (last.tailHtml === "" ? "" : last.tailHtml)).toBe(text);
    expect(last.blocks.length).toBeGreaterThan(500);
    for (const block of last.blocks) expect((block.html.match(/^```/gm) ?? []).length % 2, block.html).toBe(0);
  });

  it("renders what a full parse renders, block by block", () => {
    const text = "# Title\n\nFirst *para*.\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\nAfter the fence.\n\n- one\n- two\n\nLast line";
    const stream = new StreamingMarkdown(renderMarkdown);
    let last = stream.update("");
    for (const shown of frames(text, 7)) last = stream.update(shown);
    const container = document.createElement("div");
    container.innerHTML = last.blocks.map((b) => b.html).join("") + last.tailHtml;
    const whole = document.createElement("div");
    whole.innerHTML = renderMarkdown(text);
    expect(container.innerHTML.replace(/\n/g, "")).toBe(whole.innerHTML.replace(/\n/g, ""));
    expect(container.querySelectorAll("pre")).toHaveLength(1);
    expect(container.querySelector("pre code")?.textContent).toBe("let a = 1;\n\nlet b = 2;\n");
  });

  it("starts over when the text does not extend the previous one", () => {
    const stream = new StreamingMarkdown((s) => s);
    stream.update("One.\n\nTwo.\n\n");
    const next = stream.update("Other.\n\n");
    expect(next.blocks.map((b) => b.html)).toEqual(["Other.\n\n"]);
    expect(next.tailHtml).toBe("");
  });

  it("keeps the rendered blocks of a streaming answer in the DOM and parses a bounded amount per frame", async () => {
    const text = longAnswer();
    const queued: Array<() => void> = [];
    const finish = deferred();
    let stream: FakeStream | undefined;
    mockBackend({
      list_conversations: () => [],
      send_message: async (args) => {
        stream = new FakeStream(args);
        await finish.promise;
        return null;
      },
    });
    const chat = new ChatSession({ schedule: (run) => void queued.push(run) });
    const root = render(MessageList, {
      get messages() {
        return chat.messages;
      },
      get streaming() {
        return chat.streaming;
      },
    });
    const sending = chat.send("Write a book", "m");
    await tick();
    stream!.emit({ type: "started", conversationId: "c", userMessageId: "u", assistantMessageId: "a", continuedFrom: null });
    flushSync();

    let sent = 0;
    let mostInOneFrame = 0;
    let firstHeading: Element | null = null;
    for (const shown of frames(text, 1000)) {
      stream!.emit({ type: "delta", text: shown.slice(sent) });
      sent = shown.length;
      parsed.calls = [];
      for (const run of queued.splice(0)) run();
      flushSync();
      mostInOneFrame = Math.max(mostInOneFrame, parsed.calls.reduce((sum, n) => sum + n, 0));
      const answer = allByTestId(root, "message").at(-1)!;
      firstHeading ??= answer.querySelector("h2");
      // The first block's element is never rebuilt: rendered once, then kept.
      if (firstHeading) expect(answer.querySelector("h2")).toBe(firstHeading);
    }
    expect(sent).toBe(text.length);
    expect(firstHeading?.textContent).toBe("Section 1");
    expect(mostInOneFrame).toBeLessThan(3_000);

    parsed.calls = [];
    stream!.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    finish.resolve();
    await sending;
    flushSync();
    // Once complete, the blocks already rendered stay: only the last block is parsed again
    // (parsing the whole 400 KB at the end stalled the real window for seconds).
    expect(parsed.calls.reduce((a, b) => a + b, 0)).toBeLessThan(3_000);
    const finished = allByTestId(root, "message").at(-1)!;
    expect(finished.querySelector("h2")).toBe(firstHeading);
    expect(finished.querySelectorAll("pre").length).toBeGreaterThan(100);
  }, 60_000);
});

describe("long conversations", () => {
  function conversation(count: number) {
    return Array.from({ length: count }, (_, i) => ({
      id: `m${i}`,
      role: (i % 2 === 0 ? "user" : "assistant") as "user" | "assistant",
      text: i % 2 === 0 ? `Question ${i}` : `Answer **${i}**`,
      status: "complete" as const,
      usage: null,
    }));
  }

  /** Gives the list a layout before it mounts: a 600 px viewport over `count` rows of 160 px. */
  function layout(count: number): { set: (rows: number) => void } {
    let rows = count;
    const proto = HTMLElement.prototype;
    const isList = (el: HTMLElement) => el.classList.contains("message-list");
    Object.defineProperty(proto, "clientHeight", { configurable: true, get() { return isList(this) ? 600 : 0; } });
    Object.defineProperty(proto, "scrollHeight", { configurable: true, get() { return isList(this) ? rows * ESTIMATED_HEIGHT : 0; } });
    onTestFinished(() => {
      Reflect.deleteProperty(proto, "clientHeight");
      Reflect.deleteProperty(proto, "scrollHeight");
    });
    return { set: (next) => (rows = next) };
  }

  function scrollTo(scroller: HTMLElement, top: number): void {
    scroller.scrollTop = top;
    scroller.dispatchEvent(new Event("scroll"));
    flushSync();
  }

  it("renders only the messages near the viewport, and starts at the latest", async () => {
    const messages = conversation(2000);
    const root = render(MessageList, { messages, streaming: false, conversationKey: "c1" });
    await settle();
    const shown = allByTestId(root, "message");
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(60);
    expect(shown.at(-1)?.dataset.messageId).toBe("m1999");
    // Assistive technology still hears the whole conversation's size and each message's place.
    const feed = root.querySelector('[role="feed"]')!;
    expect(feed.getAttribute("aria-label")).toBe("Messages in this conversation");
    expect(shown.at(-1)?.getAttribute("aria-posinset")).toBe("2000");
    expect(shown.at(-1)?.getAttribute("aria-setsize")).toBe("2000");
    expect(shown.at(-1)?.getAttribute("aria-labelledby")).toBeTruthy();
    // The scrolling region takes keyboard focus, so arrows and Page Up/Down scroll it.
    expect(root.querySelector(".message-list")?.getAttribute("tabindex")).toBe("0");
    // The space of the messages not rendered is kept, so the scrollbar is right.
    const padding = parseFloat((feed as HTMLElement).style.paddingTop);
    expect(padding).toBeGreaterThan(1990 * ESTIMATED_HEIGHT - 10_000);
  });

  it("follows the reader's scrolling and stays pinned to the bottom only when they are there", async () => {
    const messages = reactive(conversation(2000));
    const size = layout(2000);
    const root = render(MessageList, {
      get messages() {
        return messages.value;
      },
      streaming: false,
      conversationKey: "c1",
    });
    const scroller = root.querySelector<HTMLElement>(".message-list")!;
    await settle();
    expect(scroller.scrollTop).toBe(2000 * ESTIMATED_HEIGHT);

    scrollTo(scroller, 0);
    let ids = allByTestId(root, "message").map((m) => m.dataset.messageId);
    expect(ids[0]).toBe("m0");
    expect(ids).not.toContain("m1999");
    expect(ids.length).toBeLessThan(60);

    scrollTo(scroller, 1000 * ESTIMATED_HEIGHT);
    ids = allByTestId(root, "message").map((m) => m.dataset.messageId);
    expect(ids).toContain("m1000");
    expect(ids).not.toContain("m0");

    // Scrolled up: a new message does not pull the view down.
    scroller.scrollTop = 1000 * ESTIMATED_HEIGHT;
    messages.value = [...messages.value, { id: "m2000", role: "user", text: "New", status: "complete", usage: null }];
    await settle();
    expect(scroller.scrollTop).toBe(1000 * ESTIMATED_HEIGHT);

    // Back at the bottom: the next one does.
    scrollTo(scroller, 2000 * ESTIMATED_HEIGHT - 600);
    size.set(2002);
    messages.value = [...messages.value, { id: "m2001", role: "assistant", text: "Reply", status: "complete", usage: null }];
    await settle();
    expect(scroller.scrollTop).toBe(2002 * ESTIMATED_HEIGHT);
    expect(allByTestId(root, "message").at(-1)?.dataset.messageId).toBe("m2001");
  });

  it("scrolls a search result far up the list into view", async () => {
    const scrolled: string[] = [];
    const proto = HTMLElement.prototype as unknown as { scrollIntoView?: unknown };
    proto.scrollIntoView = function (this: HTMLElement) {
      scrolled.push(this.dataset.messageId ?? "");
    };
    try {
      layout(2000);
      const root = render(MessageList, { messages: conversation(2000), streaming: false, conversationKey: "c1", reveal: { messageId: "m10" } });
      await settle();
      await tick(5);
      flushSync();
      const found = allByTestId(root, "message").find((m) => m.dataset.messageId === "m10");
      expect(found?.classList.contains("found")).toBe(true);
      expect(scrolled).toEqual(["m10"]);
      expect(allByTestId(root, "message").length).toBeLessThan(60);
    } finally {
      delete proto.scrollIntoView;
    }
  });

  it("computes positions from measured heights and estimates", () => {
    const ids = ["a", "b", "c", "d"];
    const offsets = offsetsOf(ids, new Map([["b", 40]]), 100);
    expect([...offsets]).toEqual([0, 100, 140, 240, 340]);
    expect(visibleRange(offsets, 0, 50, 0)).toEqual({ start: 0, end: 1 });
    expect(visibleRange(offsets, 120, 50, 0)).toEqual({ start: 1, end: 3 });
    expect(visibleRange(offsets, 300, 500, 0)).toEqual({ start: 3, end: 4 });
    expect(visibleRange(offsetsOf([], new Map()), 0, 100, 100)).toEqual({ start: 0, end: 0 });
  });

  it("shows an empty list's invitation and keeps a live region for announcements", () => {
    const root = render(MessageList, { messages: [], streaming: false });
    expect(root.textContent).toContain("Ask Claude a question");
    expect(root.querySelector('[aria-live="polite"]')).not.toBeNull();
    expect(byTestId(root, "message")).toBeNull();
  });
});

import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import App from "../src/App.svelte";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { ChatSession } from "../src/lib/features/chat/chat.svelte";
import { ConversationSearch } from "../src/lib/features/chat/search.svelte";
import { snippetParts } from "../src/lib/features/chat/snippet";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { AppStatus, ConversationSummary, ModelOption, SearchHit } from "../src/lib/ipc";
import { mockBackend, tick } from "./ipc-mock";

function summary(id: string, title: string, pinned = false): ConversationSummary {
  return { id, title, modelId: "global.a.sonnet", updatedAt: "2024-03-02T09:00:00Z", messageCount: 2, pinned };
}

function message(id: string, role: "user" | "assistant", text: string) {
  return { id, role, text, thinking: null, status: "complete", modelId: null, usage: null, createdAt: "2024-03-02T09:00:00Z" };
}

let mounted: Array<Record<string, unknown>> = [];

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  for (const component of mounted) unmount(component);
  mounted = [];
  document.body.innerHTML = "";
  clearMocks();
});

describe("ChatSession conversation tools", () => {
  it("renames with the trimmed title and refuses an empty one", async () => {
    const calls = mockBackend({ rename_conversation: () => null, list_conversations: () => [summary("c1", "Budget")] });
    const chat = new ChatSession();
    expect(await chat.rename("c1", "   ")).toBe(false);
    expect(calls.some((c) => c.cmd === "rename_conversation")).toBe(false);
    expect(await chat.rename("c1", "  Budget  ")).toBe(true);
    expect(calls.find((c) => c.cmd === "rename_conversation")?.args).toEqual({ id: "c1", title: "Budget" });
    expect(chat.conversations.map((c) => c.title)).toEqual(["Budget"]);
  });

  it("reports a refused rename", async () => {
    mockBackend({ rename_conversation: () => Promise.reject({ kind: "notFound", message: "no such conversation" }) });
    const chat = new ChatSession();
    expect(await chat.rename("c1", "x")).toBe(false);
    expect(chat.error?.kind).toBe("notFound");
  });

  it("pins and takes the backend's new order", async () => {
    let pinned = false;
    const calls = mockBackend({
      set_conversation_pinned: (args) => {
        pinned = (args as { pinned: boolean }).pinned;
        return null;
      },
      list_conversations: () => (pinned ? [summary("c2", "B", true), summary("c1", "A")] : [summary("c1", "A"), summary("c2", "B")]),
    });
    const chat = new ChatSession();
    await chat.loadConversations();
    await chat.setPinned("c2", true);
    expect(calls.find((c) => c.cmd === "set_conversation_pinned")?.args).toEqual({ id: "c2", pinned: true });
    expect(chat.conversations.map((c) => [c.id, c.pinned])).toEqual([
      ["c2", true],
      ["c1", false],
    ]);
  });

  it("deletes, clears the open conversation, and undoes", async () => {
    const hidden = new Set<string>();
    const calls = mockBackend({
      list_conversations: () => [summary("c1", "A"), summary("c2", "B")].filter((c) => !hidden.has(c.id)),
      get_conversation: () => ({ summary: summary("c1", "A"), messages: [message("m1", "user", "hi")] }),
      delete_conversation: (args) => {
        hidden.add((args as { id: string }).id);
        return null;
      },
      restore_conversation: (args) => {
        hidden.delete((args as { id: string }).id);
        return null;
      },
    });
    const chat = new ChatSession();
    await chat.loadConversations();
    await chat.openConversation("c1");
    expect(await chat.deleteConversation("c1")).toBe(true);
    expect(chat.activeId).toBeNull();
    expect(chat.messages).toEqual([]);
    expect(chat.conversations.map((c) => c.id)).toEqual(["c2"]);
    expect(chat.deleted).toEqual({ id: "c1", title: "A" });

    expect(await chat.undoDelete()).toBe(true);
    expect(calls.find((c) => c.cmd === "restore_conversation")?.args).toEqual({ id: "c1" });
    expect(chat.deleted).toBeNull();
    expect(chat.conversations.map((c) => c.id)).toEqual(["c1", "c2"]);
  });

  it("withdraws the undo offer after its time", async () => {
    mockBackend({ list_conversations: () => [], delete_conversation: () => null });
    const chat = new ChatSession({ undoMs: 20 });
    await chat.deleteConversation("c1");
    expect(chat.deleted?.id).toBe("c1");
    await tick(40);
    expect(chat.deleted).toBeNull();
    expect(await chat.undoDelete()).toBe(false);
  });

  it("exports the open conversation and keeps the path or the error", async () => {
    let fail = false;
    const calls = mockBackend({
      get_conversation: () => ({ summary: summary("c1", "A"), messages: [] }),
      export_conversation: () => (fail ? Promise.reject({ kind: "storage", message: "disk full" }) : "/home/a/Downloads/A.md"),
    });
    const chat = new ChatSession();
    await chat.exportActive("markdown");
    expect(calls.some((c) => c.cmd === "export_conversation")).toBe(false);
    await chat.openConversation("c1");
    await chat.exportActive("markdown");
    expect(calls.find((c) => c.cmd === "export_conversation")?.args).toEqual({ id: "c1", format: "markdown" });
    expect(chat.exportOutcome).toEqual({ ok: true, format: "markdown", path: "/home/a/Downloads/A.md" });
    fail = true;
    await chat.exportActive("json");
    expect(chat.exportOutcome).toMatchObject({ ok: false, format: "json", error: { kind: "storage" } });
  });
});

describe("snippetParts", () => {
  it("splits marked matches", () => {
    expect(snippetParts("the [budget] for [Q3]")).toEqual([
      { text: "the ", mark: false },
      { text: "budget", mark: true },
      { text: " for ", mark: false },
      { text: "Q3", mark: true },
    ]);
  });

  it("works for Chinese and leaves stray brackets as text", () => {
    expect(snippetParts("今年的[預算]] 與 [未完")).toEqual([
      { text: "今年的", mark: false },
      { text: "預算", mark: true },
      { text: "] 與 [未完", mark: false },
    ]);
  });
});

describe("ConversationSearch", () => {
  it("waits for a pause in typing and keeps only the newest answer", async () => {
    const calls = mockBackend({ search_messages: (args) => [{ conversationId: "c1", title: "A", messageId: "m1", role: "user", snippet: (args as { query: string }).query }] });
    const search = new ConversationSearch({ delayMs: 30 });
    search.setQuery("b");
    search.setQuery("bu");
    search.setQuery(" bud ");
    expect(search.active).toBe(true);
    await tick(10);
    expect(calls).toHaveLength(0);
    await tick(50);
    expect(calls.map((c) => c.args)).toEqual([{ query: "bud" }]);
    expect(search.hits.map((h) => h.snippet)).toEqual(["bud"]);
    expect(search.answered).toBe("bud");

    search.setQuery("x");
    search.clear();
    await tick(50);
    expect(calls).toHaveLength(1);
    expect(search.active).toBe(false);
    expect(search.hits).toEqual([]);
  });
});

describe("App conversation tools", () => {
  const MODELS: ModelOption[] = [
    { modelId: "a.sonnet", invocationId: "global.a.sonnet", name: "Claude Sonnet", lifecycle: "ACTIVE", endpoint: "global" },
  ];
  const STATUS: AppStatus = { mode: "demo", connectionId: "demo", connectionName: null, region: "us-west-2", simulatorEndpoint: null, startupError: null };

  function render(): HTMLElement {
    const target = document.createElement("div");
    document.body.append(target);
    mounted.push(mount(App, { target, props: {} }));
    flushSync();
    return target;
  }

  const byTestId = <T extends HTMLElement = HTMLElement>(root: ParentNode, id: string) => root.querySelector<T>(`[data-testid="${id}"]`);
  const allByTestId = (root: ParentNode, id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

  async function settle(ms = 0): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await tick(ms);
      flushSync();
    }
  }

  function press(element: Element, key: string, init: KeyboardEventInit = {}): void {
    element.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
    flushSync();
  }

  function type(input: HTMLInputElement, text: string): void {
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
  }

  function backend(extra: Record<string, (args: unknown) => unknown> = {}, list?: () => ConversationSummary[]) {
    return mockBackend({
      app_status: () => STATUS,
      list_models: () => MODELS,
      list_conversations: list ?? (() => [summary("c1", "Sales forecast"), summary("c2", "Travel plans")]),
      get_conversation: (args) => {
        const id = (args as { id: string }).id;
        return {
          summary: summary(id, id === "c1" ? "Sales forecast" : "Travel plans"),
          messages: [message(`${id}-u`, "user", "question"), message(`${id}-a`, "assistant", "answer")],
        };
      },
      conversation_settings: () => ({}),
      ...extra,
    });
  }

  it("renames inline: Enter saves the trimmed title, empty is refused, Esc cancels", async () => {
    let title = "Sales forecast";
    const calls = backend(
      {
        rename_conversation: (args) => {
          title = (args as { title: string }).title;
          return null;
        },
      },
      () => [summary("c1", title)],
    );
    const root = render();
    await settle();
    byTestId(root, "rename-conversation")!.click();
    flushSync();
    const input = byTestId<HTMLInputElement>(root, "rename-input")!;
    expect(input.value).toBe("Sales forecast");
    expect(document.activeElement).toBe(input);

    type(input, "   ");
    press(input, "Enter");
    await settle();
    expect(calls.some((c) => c.cmd === "rename_conversation")).toBe(false);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(root.textContent).toContain("A title can't be empty.");

    type(input, "  Q3 forecast ");
    press(input, "Enter");
    await settle();
    expect(calls.find((c) => c.cmd === "rename_conversation")?.args).toEqual({ id: "c1", title: "Q3 forecast" });
    expect(byTestId(root, "rename-input")).toBeNull();
    expect(byTestId(root, "conversation-item")!.textContent).toContain("Q3 forecast");

    byTestId(root, "rename-conversation")!.click();
    flushSync();
    const again = byTestId<HTMLInputElement>(root, "rename-input")!;
    type(again, "Something else");
    press(again, "Escape");
    await settle();
    expect(byTestId(root, "rename-input")).toBeNull();
    expect(calls.filter((c) => c.cmd === "rename_conversation")).toHaveLength(1);
    expect(byTestId(root, "conversation-item")!.textContent).toContain("Q3 forecast");
  });

  it("pins a conversation: it shows a pin mark and comes first after the reload", async () => {
    let pinned = false;
    const calls = backend(
      {
        set_conversation_pinned: (args) => {
          pinned = (args as { pinned: boolean }).pinned;
          return null;
        },
      },
      () => (pinned ? [summary("c2", "Travel plans", true), summary("c1", "Sales forecast")] : [summary("c1", "Sales forecast"), summary("c2", "Travel plans")]),
    );
    const root = render();
    await settle();
    const pinButtons = allByTestId(root, "pin-conversation");
    expect(pinButtons[1].getAttribute("aria-label")).toBe("Pin “Travel plans”");
    pinButtons[1].click();
    await settle();
    expect(calls.find((c) => c.cmd === "set_conversation_pinned")?.args).toEqual({ id: "c2", pinned: true });
    const items = allByTestId(root, "conversation-item");
    expect(items.map((i) => i.dataset.id)).toEqual(["c2", "c1"]);
    expect(items[0].querySelector('[aria-label="Pinned"]')).not.toBeNull();
    expect(items[1].querySelector('[aria-label="Pinned"]')).toBeNull();
    expect(allByTestId(root, "pin-conversation")[0].getAttribute("aria-pressed")).toBe("true");
  });

  it("deletes the open conversation, clears the view, and Undo restores it", async () => {
    const hidden = new Set<string>();
    const calls = backend(
      {
        delete_conversation: (args) => {
          hidden.add((args as { id: string }).id);
          return null;
        },
        restore_conversation: (args) => {
          hidden.delete((args as { id: string }).id);
          return null;
        },
      },
      () => [summary("c1", "Sales forecast"), summary("c2", "Travel plans")].filter((c) => !hidden.has(c.id)),
    );
    const root = render();
    await settle();
    allByTestId(root, "conversation-item")[0].click();
    await settle();
    expect(allByTestId(root, "message")).toHaveLength(2);

    allByTestId(root, "delete-conversation")[0].click();
    await settle();
    expect(calls.find((c) => c.cmd === "delete_conversation")?.args).toEqual({ id: "c1" });
    expect(allByTestId(root, "conversation-item").map((i) => i.dataset.id)).toEqual(["c2"]);
    expect(allByTestId(root, "message")).toHaveLength(0);
    expect(byTestId(root, "export-markdown")).toBeNull();
    const toast = byTestId(document.body, "delete-toast")!;
    expect(toast.textContent).toContain("Conversation deleted.");

    byTestId(document.body, "undo-delete")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "restore_conversation")?.args).toEqual({ id: "c1" });
    expect(allByTestId(root, "conversation-item").map((i) => i.dataset.id)).toEqual(["c1", "c2"]);
    expect(byTestId(document.body, "undo-delete")).toBeNull();
  });

  it("searches: Ctrl+K focuses the box, snippets mark matches as text only, Esc clears", async () => {
    const hits: SearchHit[] = [
      { conversationId: "c2", title: "Travel plans", messageId: "c2-a", role: "assistant", snippet: "book the [train] <img src=x onerror=alert(1)> early" },
    ];
    const calls = backend({ search_messages: (args) => ((args as { query: string }).query === "train" ? hits : []) });
    const root = render();
    await settle();
    const box = byTestId<HTMLInputElement>(root, "conversation-search")!;
    press(window as unknown as Element, "k", { ctrlKey: true });
    await settle();
    expect(document.activeElement).toBe(box);

    type(box, "train");
    await settle();
    await settle(60);
    expect(calls.filter((c) => c.cmd === "search_messages").map((c) => c.args)).toEqual([{ query: "train" }]);
    const result = byTestId(root, "search-result")!;
    expect(result.dataset.conversationId).toBe("c2");
    expect(result.dataset.messageId).toBe("c2-a");
    expect(allByTestId(root, "conversation-item")).toHaveLength(0);
    expect([...result.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["train"]);
    expect(result.querySelector("img")).toBeNull();
    expect(result.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(result.textContent).toContain("Claude:");
    expect(result.textContent).not.toContain("[train]");

    type(box, "zzz");
    await settle(60);
    expect(root.textContent).toContain("No messages match “zzz”.");

    press(box, "Escape");
    await settle();
    expect(box.value).toBe("");
    expect(byTestId(root, "search-result")).toBeNull();
    expect(allByTestId(root, "conversation-item")).toHaveLength(2);
  });

  it("opens a search result's conversation and scrolls its message into view", async () => {
    const scrolled: string[] = [];
    // jsdom has no scrollIntoView: stand one in for this test.
    const proto = HTMLElement.prototype as unknown as { scrollIntoView?: unknown };
    proto.scrollIntoView = function (this: HTMLElement) {
      scrolled.push(this.dataset.messageId ?? "");
    };
    onTestFinished(() => {
      delete proto.scrollIntoView;
    });
    const calls = backend({
      search_messages: () => [{ conversationId: "c2", title: "Travel plans", messageId: "c2-a", role: "assistant", snippet: "[answer]" }],
    });
    const root = render();
    await settle();
    type(byTestId<HTMLInputElement>(root, "conversation-search")!, "answer");
    await settle(60);
    byTestId(root, "search-result")!.click();
    await settle();
    await settle(5);
    expect(calls.filter((c) => c.cmd === "get_conversation").map((c) => c.args)).toEqual([{ id: "c2" }]);
    const messages = allByTestId(root, "message");
    expect(messages.map((m) => m.dataset.messageId)).toEqual(["c2-u", "c2-a"]);
    expect(scrolled).toEqual(["c2-a"]);
  });

  it("exports the open conversation and shows where it was saved, or why not", async () => {
    let fail = false;
    const calls = backend({
      export_conversation: () => (fail ? Promise.reject({ kind: "storage", message: "Downloads folder not found" }) : "/home/ana/Downloads/Sales forecast.md"),
    });
    const root = render();
    await settle();
    expect(byTestId(root, "export-markdown")).toBeNull();
    allByTestId(root, "conversation-item")[0].click();
    await settle();
    byTestId(root, "export-markdown")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "export_conversation")?.args).toEqual({ id: "c1", format: "markdown" });
    expect(byTestId(root, "export-result")!.textContent).toContain("Saved to /home/ana/Downloads/Sales forecast.md");

    fail = true;
    byTestId(root, "export-json")!.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "export_conversation").at(-1)?.args).toEqual({ id: "c1", format: "json" });
    const result = byTestId(root, "export-result")!;
    expect(result.textContent).toContain("The conversation could not be exported.");
    expect(result.querySelector('[data-testid="error-notice"]')?.getAttribute("data-kind")).toBe("storage");
  });

  it("speaks Traditional Chinese", async () => {
    backend();
    setLocale("zh-TW");
    const root = render();
    await settle();
    expect(byTestId<HTMLInputElement>(root, "conversation-search")!.getAttribute("aria-label")).toBe("搜尋訊息");
    expect(allByTestId(root, "rename-conversation")[0].getAttribute("aria-label")).toBe("重新命名「Sales forecast」");
    expect(allByTestId(root, "pin-conversation")[0].getAttribute("aria-label")).toBe("釘選「Sales forecast」");
    expect(allByTestId(root, "delete-conversation")[0].getAttribute("aria-label")).toBe("刪除「Sales forecast」");
  });
});

describe("the conversation tools' words", () => {
  type Tree = { [key: string]: string | Tree };
  const NEW_KEYS = [
    "conversations.rename", "conversations.renameLabel", "conversations.renameInput", "conversations.titleEmpty",
    "conversations.pinLabel", "conversations.unpinLabel", "conversations.pinned", "conversations.deleteLabel",
    "conversations.deleted", "conversations.undo", "search.label", "search.placeholder", "search.noResults",
    "search.role", "export.label", "export.saved", "export.failed",
  ];
  const get = (tree: Tree, key: string) => key.split(".").reduce<string | Tree | undefined>((node, part) => (typeof node === "object" ? node[part] : undefined), tree);

  it("exist in both languages, translated, with the agreed terms", () => {
    for (const key of NEW_KEYS) {
      expect(typeof get(en as Tree, key), key).toBe("string");
      expect(typeof get(zhTW as Tree, key), key).toBe("string");
      expect(get(zhTW as Tree, key), key).not.toBe(get(en as Tree, key));
    }
    expect(get(zhTW as Tree, "conversations.rename")).toBe("重新命名");
    expect(get(zhTW as Tree, "conversations.pinLabel")).toContain("釘選");
    expect(get(zhTW as Tree, "conversations.deleted")).toContain("刪除");
    expect(get(zhTW as Tree, "conversations.deleted")).toContain("對話");
    expect(get(zhTW as Tree, "conversations.undo")).toBe("復原");
    expect(get(zhTW as Tree, "search.label")).toBe("搜尋訊息");
    expect(get(zhTW as Tree, "export.label")).toBe("匯出");
    expect(get(zhTW as Tree, "search.role")).toBe("{role}：");
  });
});

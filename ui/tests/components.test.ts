import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import Composer from "../src/lib/components/Composer.svelte";
import ErrorNotice from "../src/lib/components/ErrorNotice.svelte";
import LanguageSwitch from "../src/lib/components/LanguageSwitch.svelte";
import MessageBubble from "../src/lib/components/MessageBubble.svelte";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { AppStatus, ModelOption, Usage } from "../src/lib/ipc";
import { FakeStream, mockBackend, tick } from "./ipc-mock";

let mounted: Array<Record<string, unknown>> = [];

function render<Props extends Record<string, unknown>>(component: Parameters<typeof mount<Props, Record<string, unknown>>>[0], props: Props): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

function byTestId<T extends Element = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T & Element>(`[data-testid="${id}"]`);
}

function type(textarea: HTMLTextAreaElement, text: string): void {
  textarea.value = text;
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function press(element: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  element.dispatchEvent(event);
  flushSync();
  return event;
}

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

describe("Composer", () => {
  it("sends on Enter and not on Shift+Enter", () => {
    const onsend = vi.fn();
    const root = render(Composer, { streaming: false, onsend, onstop: vi.fn() });
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;

    type(input, "First line");
    const shifted = press(input, "Enter", { shiftKey: true });
    expect(onsend).not.toHaveBeenCalled();
    expect(shifted.defaultPrevented).toBe(false);

    const plain = press(input, "Enter");
    expect(plain.defaultPrevented).toBe(true);
    expect(onsend).toHaveBeenCalledTimes(1);
    expect(onsend).toHaveBeenCalledWith("First line");
    expect(input.value).toBe("");
  });

  it("does not send while an input method is composing", () => {
    const onsend = vi.fn();
    const root = render(Composer, { streaming: false, onsend, onstop: vi.fn() });
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    type(input, "你好");
    press(input, "Enter", { isComposing: true });
    expect(onsend).not.toHaveBeenCalled();
  });

  it("never sends an empty message and says why", () => {
    const onsend = vi.fn();
    const root = render(Composer, { streaming: false, onsend, onstop: vi.fn() });
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    const send = byTestId<HTMLButtonElement>(root, "send-button")!;

    expect(send.disabled).toBe(true);
    type(input, "   ");
    press(input, "Enter");
    send.click();
    expect(onsend).not.toHaveBeenCalled();
    expect(root.textContent).toContain("Type a message first.");
    expect(input.getAttribute("aria-describedby")).toBeTruthy();
    expect(root.querySelector(`label[for="${input.id}"]`)?.textContent).toBe("Your message");

    type(input, "Now with text");
    expect(send.disabled).toBe(false);
    send.click();
    flushSync();
    expect(onsend).toHaveBeenCalledWith("Now with text");
  });

  it("shows Stop while streaming and stops on Esc", () => {
    const onstop = vi.fn();
    const root = render(Composer, { streaming: true, onsend: vi.fn(), onstop });
    expect(byTestId(root, "send-button")).toBeNull();
    const stop = byTestId<HTMLButtonElement>(root, "stop-button")!;
    expect(stop.textContent).toBe("Stop");

    press(byTestId(root, "composer-input")!, "Escape");
    expect(onstop).toHaveBeenCalledTimes(1);
    stop.click();
    expect(onstop).toHaveBeenCalledTimes(2);
  });
});

describe("MessageBubble", () => {
  const base = { usage: null };
  const usage = (over: Partial<Usage> = {}): Usage => ({
    inputTokens: 1200,
    outputTokens: 56,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    firstTokenMs: 850,
    totalMs: null,
    costUsd: null,
    priceDate: null,
    ...over,
  });

  it("renders assistant markdown and keeps links from navigating", () => {
    const root = render(MessageBubble, {
      message: { ...base, role: "assistant", status: "complete", text: "Read [this](https://example.com/page)" },
    });
    const link = byTestId(root, "message-text")!.querySelector("a")!;
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    flushSync();
    expect(click.defaultPrevented).toBe(true);
    expect(root.textContent).toContain("https://example.com/page");
  });

  it.each([
    ["cancelled", "Stopped"],
    ["incomplete", "Incomplete"],
    ["failed", "Failed"],
  ] as const)("badges a %s message", (status, label) => {
    const root = render(MessageBubble, { message: { ...base, role: "assistant", status, text: "x" } });
    expect(byTestId(root, "message")?.dataset.status).toBe(status);
    expect(root.querySelector(".badge")?.textContent).toBe(label);
  });

  it("shows a typing indicator while streaming and usage when done", () => {
    const streaming = render(MessageBubble, { message: { ...base, role: "assistant", status: "streaming", text: "" } });
    expect(streaming.textContent).toContain("Claude is writing…");

    const done = render(MessageBubble, {
      message: { role: "assistant", status: "complete", text: "ok", usage: usage() },
    });
    expect(byTestId(done, "usage")?.textContent?.trim()).toBe("1,200 input tokens · 56 output tokens · first token after 0.9 s");
    expect(byTestId(done, "usage-cost")).toBeNull();
  });

  it("adds the estimated cost with the price date to the usage line", () => {
    const root = render(MessageBubble, {
      message: { role: "assistant", status: "complete", text: "ok", usage: usage({ costUsd: 0.0123, priceDate: "2026-11-01" }) },
    });
    expect(byTestId(root, "usage-cost")?.textContent).toBe("≈ $0.0123 (estimate, prices of 2026-11-01)");
    expect(byTestId(root, "usage")?.textContent).toContain("first token after 0.9 s · ≈ $0.0123");
  });
});

describe("ErrorNotice", () => {
  it("shows plain words by kind plus the technical detail", () => {
    const root = render(ErrorNotice, {
      error: { kind: "needsProfile", code: "ValidationException", message: "ValidationException: on-demand throughput isn't supported", parameters: [] },
    });
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.kind).toBe("needsProfile");
    expect(notice.textContent).toContain("inference profile");
    expect(notice.textContent).toContain("ValidationException");
  });
});

describe("LanguageSwitch", () => {
  it("switches the interface to Traditional Chinese", () => {
    const root = render(LanguageSwitch, {});
    const select = byTestId<HTMLSelectElement>(root, "language-switch")!;
    expect([...select.options].map((o) => o.value)).toEqual(["en", "zh-TW"]);
    select.value = "zh-TW";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(root.querySelector("label")?.textContent).toBe("語言");
    expect(localStorage.getItem("cairn.locale")).toBe("zh-TW");
  });
});

describe("App", () => {
  const MODELS: ModelOption[] = [
    { modelId: "a.sonnet", invocationId: "global.a.sonnet", name: "Claude Sonnet", lifecycle: "ACTIVE", endpoint: "global" },
    { modelId: "a.old", invocationId: "a.old", name: "Claude Old", lifecycle: "LEGACY", endpoint: "base" },
  ];

  function demoStatus(over: Partial<AppStatus> = {}): AppStatus {
    return { mode: "demo", connectionId: "demo", connectionName: null, region: "us-west-2", simulatorEndpoint: null, startupError: null, ...over };
  }

  function awsStatus(over: Partial<AppStatus> = {}): AppStatus {
    return {
      mode: "aws",
      connectionId: "6f1c2b1e-0000-4000-8000-000000000001",
      connectionName: "Work",
      region: "eu-central-1",
      simulatorEndpoint: null,
      startupError: null,
      ...over,
    };
  }

  function backend(status: AppStatus, extra: Record<string, (args: unknown) => unknown> = {}) {
    return mockBackend({
      app_status: () => status,
      list_models: () => MODELS,
      list_conversations: () => [
        { id: "c1", title: "Sales forecast", modelId: "global.a.sonnet", updatedAt: "2024-03-02T09:00:00Z", messageCount: 4, pinned: false },
      ],
      ...extra,
    });
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await tick();
      flushSync();
    }
  }

  it("shows the demo banner in demo mode", async () => {
    backend(demoStatus({ simulatorEndpoint: "http://127.0.0.1:4010" }));
    const root = render(App, {});
    await settle();
    expect(byTestId(root, "demo-banner")?.textContent).toContain("simulated");
    const button = byTestId(root, "connection-button")!;
    expect(button.textContent).toContain("Demo · US West (Oregon)");
    expect(button.textContent).toContain("us-west-2");
    const picker = byTestId<HTMLSelectElement>(root, "model-picker")!;
    expect([...picker.options].map((o) => o.value)).toEqual(["global.a.sonnet", "a.old"]);
    expect(picker.options[0].textContent).toBe("Claude Sonnet · global endpoint");
    expect(picker.options[1].textContent).toBe("Claude Old · base model (deprecated)");
    expect(root.querySelectorAll('[data-testid="conversation-item"]')).toHaveLength(1);
  });

  it("has no demo banner when connected to AWS", async () => {
    backend(awsStatus());
    const root = render(App, {});
    await settle();
    expect(byTestId(root, "demo-banner")).toBeNull();
    expect(byTestId(root, "connection-button")?.textContent).toContain("Work · Europe (Frankfurt)");
  });

  it("shows a startup error instead of a blank window", async () => {
    backend(awsStatus({ startupError: { kind: "credentials", code: null, message: "no profile", parameters: [] } }));
    const root = render(App, {});
    await settle();
    const notice = byTestId(root, "error-notice");
    expect(notice?.dataset.kind).toBe("credentials");
  });

  it("streams an answer end to end through the screen", async () => {
    backend(
      demoStatus(),
      {
        send_message: async (args) => {
          const stream = new FakeStream(args as never);
          stream.emit({ type: "started", conversationId: "c2", userMessageId: "u", assistantMessageId: "a", continuedFrom: null });
          stream.emit({ type: "delta", text: "**Hello** from the simulator" });
          stream.emit({ type: "done", usage: { inputTokens: 3, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, firstTokenMs: 100, totalMs: 200, costUsd: null, priceDate: null }, stopReason: "end_turn" });
          return null;
        },
      },
    );
    const root = render(App, {});
    await settle();
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    type(input, "Hello?");
    press(input, "Enter");
    await settle();

    const messages = root.querySelectorAll<HTMLElement>('[data-testid="message"]');
    expect([...messages].map((m) => [m.dataset.role, m.dataset.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    const text = messages[1].querySelector('[data-testid="message-text"]')!;
    expect(text.querySelector("strong")?.textContent).toBe("Hello");
    expect(root.querySelector('[aria-live="polite"]')).not.toBeNull();
  });
});

import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { checkDraft, defaultSettings, draftFromSettings, limitsFor, parseStopSequences, type SettingsDraft } from "../src/lib/features/chat/settings";
import { ConversationSettings } from "../src/lib/features/chat/settings.svelte";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { ChatSettings, ModelTable, SendRequest } from "../src/lib/ipc";
import { errorText } from "../src/lib/ipc/errors";
import { FakeStream, mockBackend, tick } from "./ipc-mock";
import { ORIGIN, optionsOf, originTable } from "./model-table-fixture";

const SONNET_45 = ORIGIN[0].id; // thinking + 1M beta
const HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0";

/** The origin table, with Claude Haiku 3 lacking extended thinking and a smaller maximum output. */
function table(): ModelTable {
  const t = originTable();
  for (const row of t.rows) {
    if (row.entry.modelId === HAIKU_3) {
      row.entry.thinking = false;
      row.entry.maxOutput = 4096;
    }
  }
  return t;
}

function draft(over: Partial<SettingsDraft> = {}): SettingsDraft {
  return { ...draftFromSettings(defaultSettings()), ...over };
}

const FULL = { maxOutput: 64_000, thinking: true, context1mBeta: true };

describe("checkDraft", () => {
  it("turns what was typed into settings, empty fields into null", () => {
    const checked = checkDraft(
      draft({ api: "invokeModel", system: "Be brief.", temperature: "0.3", topP: "", topK: "40", maxTokens: "300", stop: "END, STOP\n###" }),
      FULL,
    );
    expect(checked.problems).toEqual({});
    expect(checked.settings).toEqual({
      api: "invokeModel",
      system: "Be brief.",
      maxTokens: 300,
      temperature: 0.3,
      topP: null,
      topK: 40,
      stopSequences: ["END", "STOP", "###"],
      thinkingBudget: null,
      context1m: false,
      documentCitations: true,
    });
    expect(checkDraft(draft(), null).settings).toEqual(defaultSettings());
  });

  it.each(["1.5", "-0.1", "abc", "0.5x", "1e-1"])("rejects temperature %j instead of clamping it", (value) => {
    const checked = checkDraft(draft({ temperature: value }), FULL);
    expect(checked.settings).toBeNull();
    expect(checked.problems.temperature?.key).toBe("settings.invalid.unit");
  });

  it("accepts the ends of the ranges", () => {
    const checked = checkDraft(draft({ temperature: "0", topP: "1", topK: "0", maxTokens: "64000" }), FULL);
    expect(checked.settings).toMatchObject({ temperature: 0, topP: 1, topK: 0, maxTokens: 64000 });
  });

  it("limits max tokens to the model's maximum output and needs whole numbers", () => {
    expect(checkDraft(draft({ maxTokens: "64001" }), FULL).problems.maxTokens).toEqual({
      key: "settings.invalid.maxTokens",
      params: { min: 1, max: 64000 },
    });
    expect(checkDraft(draft({ maxTokens: "0" }), FULL).settings).toBeNull();
    expect(checkDraft(draft({ maxTokens: "12.5" }), FULL).settings).toBeNull();
    expect(checkDraft(draft({ topK: "-1" }), FULL).problems.topK?.key).toBe("settings.invalid.topK");
    // Unknown maximum: any positive whole number.
    expect(checkDraft(draft({ maxTokens: "900000" }), null).settings?.maxTokens).toBe(900000);
  });

  it("allows at most four stop sequences", () => {
    expect(parseStopSequences(" a ,, b\n\n c ")).toEqual(["a", "b", "c"]);
    expect(checkDraft(draft({ stop: "a,b,c,d" }), FULL).settings?.stopSequences).toEqual(["a", "b", "c", "d"]);
    expect(checkDraft(draft({ stop: "a,b,c,d,e" }), FULL).problems.stop?.key).toBe("settings.invalid.stop");
  });

  it("checks the thinking budget between 1024 and max tokens − 1", () => {
    const on = { thinking: true, maxTokens: "4000" };
    expect(checkDraft(draft({ ...on, thinkingBudget: "2048" }), FULL).settings?.thinkingBudget).toBe(2048);
    expect(checkDraft(draft({ ...on, thinkingBudget: "3999" }), FULL).settings?.thinkingBudget).toBe(3999);
    expect(checkDraft(draft({ ...on, thinkingBudget: "4000" }), FULL).problems.thinkingBudget).toEqual({
      key: "settings.invalid.budgetAboveMax",
      params: { max: 4000 },
    });
    expect(checkDraft(draft({ ...on, thinkingBudget: "900" }), FULL).problems.thinkingBudget).toEqual({
      key: "settings.invalid.budget",
      params: { min: 1024, max: 3999 },
    });
    expect(checkDraft(draft({ ...on, thinkingBudget: "1023" }), FULL).settings).toBeNull();
    expect(checkDraft(draft({ ...on, thinkingBudget: "" }), FULL).problems.thinkingBudget?.key).toBe("settings.invalid.budgetRequired");
    expect(checkDraft(draft({ thinking: true, maxTokens: "1000", thinkingBudget: "1024" }), FULL).problems.thinkingBudget?.key).toBe(
      "settings.invalid.budgetRoom",
    );
    // Max tokens empty: the model's maximum output bounds the budget.
    expect(checkDraft(draft({ thinking: true, thinkingBudget: "64000" }), FULL).settings).toBeNull();
    expect(checkDraft(draft({ thinking: true, thinkingBudget: "63999" }), FULL).settings?.thinkingBudget).toBe(63999);
  });

  it("sends thinking and the 1M beta only to models that support them", () => {
    const d = draft({ thinking: true, thinkingBudget: "2048", context1m: true });
    expect(checkDraft(d, FULL).settings).toMatchObject({ thinkingBudget: 2048, context1m: true });
    expect(checkDraft(d, { maxOutput: 4096, thinking: false, context1mBeta: false }).settings).toMatchObject({
      thinkingBudget: null,
      context1m: false,
    });
  });

  it("round-trips saved settings through the form", () => {
    const saved: ChatSettings = {
      api: "invokeModel",
      system: "S",
      maxTokens: 5000,
      temperature: 0.7,
      topP: 0.9,
      topK: 5,
      stopSequences: ["x", "y"],
      thinkingBudget: 2048,
      context1m: true,
      documentCitations: false,
    };
    expect(checkDraft(draftFromSettings(saved), FULL).settings).toEqual(saved);
    // Saved before PDFs existed: citations (and Converse's visual reading) are on.
    const older: ChatSettings = { ...saved };
    delete older.documentCitations;
    expect(checkDraft(draftFromSettings(older), FULL).settings?.documentCitations).toBe(true);
  });
});

describe("limitsFor", () => {
  const rows = table().rows;

  it("finds the model by invocation ID, else by base model ID", () => {
    const byInvocation = limitsFor(rows, { modelId: "x", invocationId: `global.${SONNET_45}`, name: "", lifecycle: "ACTIVE", endpoint: "global" });
    expect(byInvocation).toEqual({ maxOutput: 64000, thinking: true, context1mBeta: true });
    const byBase = limitsFor(rows, { modelId: HAIKU_3, invocationId: `eu.${HAIKU_3}`, name: "", lifecycle: "ACTIVE", endpoint: "regional" });
    expect(byBase).toEqual({ maxOutput: 4096, thinking: false, context1mBeta: false });
    expect(limitsFor(rows, { modelId: "nope", invocationId: "nope", name: "", lifecycle: "ACTIVE", endpoint: "base" })).toBeNull();
    expect(limitsFor(rows, null)).toBeNull();
  });
});

describe("ConversationSettings", () => {
  afterEach(() => clearMocks());

  it("loads a conversation's saved settings and starts new chats from the last ones sent", async () => {
    const calls = mockBackend({
      conversation_settings: () => ({ ...defaultSettings(), api: "invokeModel", system: "Saved", temperature: 0.5 }),
    });
    const settings = new ConversationSettings();
    await settings.load("conv-9");
    expect(calls.find((c) => c.cmd === "conversation_settings")?.args).toEqual({ id: "conv-9" });
    expect(settings.draft).toMatchObject({ api: "invokeModel", system: "Saved", temperature: "0.5" });

    settings.startNew();
    expect(settings.draft).toEqual(draftFromSettings(defaultSettings()));
    settings.remember({ ...defaultSettings(), topK: 7, stopSequences: ["Z"] });
    settings.startNew();
    expect(settings.draft).toMatchObject({ topK: "7", stop: "Z", api: "converse" });
  });

  it("keeps the answer of the latest load only and reports failures", async () => {
    let answer: (value: ChatSettings) => void = () => {};
    mockBackend({
      conversation_settings: (args) =>
        (args as { id: string }).id === "slow"
          ? new Promise<ChatSettings>((resolve) => (answer = resolve))
          : Promise.reject({ kind: "notFound", message: "no such conversation" }),
    });
    const settings = new ConversationSettings();
    const slow = settings.load("slow");
    settings.startNew();
    answer({ ...defaultSettings(), system: "stale" });
    await slow;
    expect(settings.draft.system).toBe("");
    await settings.load("missing");
    expect(settings.error?.kind).toBe("notFound");
    expect(settings.loading).toBe(false);
  });
});

describe("the settings panel in the chat", () => {
  let component: Record<string, unknown> | null = null;

  beforeEach(() => {
    localStorage.clear();
    setLocale("en");
  });

  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = "";
    clearMocks();
  });

  const byTestId = <T extends Element = HTMLElement>(root: ParentNode, id: string) => root.querySelector<T & Element>(`[data-testid="${id}"]`);

  async function settle(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await tick();
      flushSync();
    }
  }

  function input(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
  }

  function choose(el: HTMLSelectElement, value: string): void {
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
  }

  function check(el: HTMLInputElement, checked: boolean): void {
    el.checked = checked;
    el.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
  }

  async function start(extra: Record<string, (args: unknown) => unknown> = {}) {
    const requests: SendRequest[] = [];
    const calls = mockBackend({
      app_status: () => ({ mode: "demo", connectionId: "demo", connectionName: null, region: "us-west-2", simulatorEndpoint: null, startupError: null }),
      list_models: () => optionsOf(table()),
      model_table: () => table(),
      list_conversations: () => [
        { id: "c1", title: "Sales forecast", modelId: `global.${SONNET_45}`, updatedAt: "2024-03-02T09:00:00Z", messageCount: 2, pinned: false },
      ],
      get_conversation: () => ({
        summary: { id: "c1", title: "Sales forecast", modelId: `global.${SONNET_45}`, updatedAt: "2024-03-02T09:00:00Z", messageCount: 0, pinned: false },
        messages: [],
      }),
      conversation_settings: () => ({ ...defaultSettings(), api: "invokeModel", system: "You are terse.", maxTokens: 2000, stopSequences: ["END"] }),
      send_message: async (args) => {
        const stream = new FakeStream(args as never);
        requests.push(stream.request);
        stream.emit({ type: "started", conversationId: "c2", userMessageId: `u${requests.length}`, assistantMessageId: `a${requests.length}`, continuedFrom: null });
        stream.emit({ type: "delta", text: "Answer" });
        stream.emit({
          type: "done",
          usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, firstTokenMs: 300, totalMs: 900, costUsd: 0.0123, priceDate: "2026-11-01" },
          stopReason: "end_turn",
        });
        return null;
      },
      ...extra,
    });
    const target = document.createElement("div");
    document.body.append(target);
    component = mount(App, { target, props: {} });
    await settle();
    return { root: target, requests, calls };
  }

  function openPanel(root: HTMLElement): HTMLElement {
    const toggle = byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!;
    expect(toggle.textContent).toBe("Settings");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(byTestId(root, "chat-settings")).toBeNull();
    toggle.click();
    flushSync();
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const panel = byTestId(root, "chat-settings")!;
    expect(toggle.getAttribute("aria-controls")).toBe(panel.id);
    return panel;
  }

  async function sendText(root: HTMLElement, text: string): Promise<void> {
    const composer = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    input(composer, text);
    composer.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    flushSync();
    await settle();
  }

  it("sends what was typed, and null for empty fields", async () => {
    const { root, requests } = await start();
    const panel = openPanel(root);
    expect(panel.textContent).toContain("Converse: Bedrock's common format for every model.");
    choose(byTestId<HTMLSelectElement>(panel, "setting-api")!, "invokeModel");
    input(byTestId<HTMLTextAreaElement>(panel, "setting-system")!, "Answer like a park ranger.");
    input(byTestId<HTMLInputElement>(panel, "setting-temperature")!, "0.4");
    input(byTestId<HTMLInputElement>(panel, "setting-top-k")!, "50");
    input(byTestId<HTMLInputElement>(panel, "setting-max-tokens")!, "300");
    input(byTestId<HTMLTextAreaElement>(panel, "setting-stop")!, "END, ###");

    await sendText(root, "Hello");
    expect(requests).toHaveLength(1);
    expect(requests[0].settings).toEqual({
      api: "invokeModel",
      system: "Answer like a park ranger.",
      maxTokens: 300,
      temperature: 0.4,
      topP: null,
      topK: 50,
      stopSequences: ["END", "###"],
      thinkingBudget: null,
      context1m: false,
      documentCitations: true,
    });

    // The usage line shows the estimate and its price date; the total sums the answers.
    expect(byTestId(root, "usage-cost")?.textContent).toBe("≈ $0.0123 (estimate, prices of 2026-11-01)");
    await sendText(root, "Again");
    expect(requests[1].settings).toEqual(requests[0].settings);
    expect(root.querySelectorAll('[data-testid="usage-cost"]')).toHaveLength(2);
    expect(byTestId(root, "conversation-cost")?.textContent?.trim()).toBe("≈ $0.0246 (estimate, prices of 2026-11-01)");
    expect(byTestId(root, "conversation-total")?.textContent?.trim()).toBe(
      "This conversation: 20 input tokens · 40 output tokens · ≈ $0.0246 (estimate, prices of 2026-11-01)",
    );

    // A new chat starts with the last settings sent.
    byTestId<HTMLButtonElement>(root, "new-chat")!.click();
    await settle();
    expect(byTestId(root, "conversation-cost")).toBeNull();
    expect(byTestId<HTMLSelectElement>(root, "setting-api")!.value).toBe("invokeModel");
    expect(byTestId<HTMLInputElement>(root, "setting-max-tokens")!.value).toBe("300");
  });

  it("sends null settings fields by default", async () => {
    const { root, requests } = await start();
    await sendText(root, "Hello");
    expect(requests[0].settings).toEqual(defaultSettings());
  });

  it("blocks sending with an inline message for an invalid temperature", async () => {
    const { root, requests } = await start();
    const panel = openPanel(root);
    const temperature = byTestId<HTMLInputElement>(panel, "setting-temperature")!;
    input(temperature, "1.7");
    expect(temperature.getAttribute("aria-invalid")).toBe("true");
    const problem = document.getElementById(temperature.getAttribute("aria-describedby")!);
    expect(problem?.textContent).toBe("Enter a number from 0 to 1, or leave it empty for the model default.");

    await sendText(root, "Hello");
    expect(requests).toHaveLength(0);
    expect(byTestId<HTMLButtonElement>(root, "send-button")!.disabled).toBe(true);
    expect(root.textContent).toContain("Fix the conversation settings before sending.");
    expect(byTestId<HTMLTextAreaElement>(root, "composer-input")!.value).toBe("Hello");

    input(temperature, "0.7");
    byTestId<HTMLButtonElement>(root, "send-button")!.click();
    await settle();
    expect(requests).toHaveLength(1);
    expect(requests[0].settings?.temperature).toBe(0.7);
  });

  it("offers thinking and the 1M beta only for models whose metadata says so", async () => {
    const { root, requests } = await start();
    const panel = openPanel(root);
    // Claude Sonnet 4.5 (the first model): both.
    const thinking = byTestId<HTMLInputElement>(panel, "setting-thinking")!;
    expect(byTestId(panel, "setting-context-1m")).not.toBeNull();
    expect(panel.textContent).toContain("costs 2× (input) and 1.5× (output)");
    expect(byTestId(panel, "setting-thinking-budget")).toBeNull();
    check(thinking, true);
    // Switching thinking on fills in a default budget, so the user can send at once.
    expect(byTestId<HTMLInputElement>(panel, "setting-thinking-budget")!.value).toBe("4096");
    input(byTestId<HTMLInputElement>(panel, "setting-thinking-budget")!, "2048");
    check(byTestId<HTMLInputElement>(panel, "setting-context-1m")!, true);
    await sendText(root, "Think");
    expect(requests[0].settings).toMatchObject({ thinkingBudget: 2048, context1m: true });

    // Claude Opus 4.5: thinking, no 1M beta.
    choose(byTestId<HTMLSelectElement>(root, "model-picker")!, `global.${ORIGIN[3].id}`);
    expect(byTestId(root, "setting-thinking")).not.toBeNull();
    expect(byTestId(root, "setting-context-1m")).toBeNull();

    // Claude Haiku 3 (regional ID; found by base model ID): neither, and max tokens up to 4096.
    choose(byTestId<HTMLSelectElement>(root, "model-picker")!, `us.${HAIKU_3}`);
    expect(byTestId(root, "setting-thinking")).toBeNull();
    expect(byTestId(root, "setting-context-1m")).toBeNull();
    expect(root.textContent).toContain("Max tokens (1–4096)");
    input(byTestId<HTMLInputElement>(root, "setting-max-tokens")!, "5000");
    expect(root.textContent).toContain("Enter a whole number from 1 to 4096, or leave it empty.");
    expect(byTestId<HTMLButtonElement>(root, "send-button")!.disabled).toBe(true);
  });

  it("opening a conversation loads its settings", async () => {
    const { root, calls } = await start();
    byTestId<HTMLButtonElement>(root, "conversation-item")!.click();
    await settle();
    expect(calls.find((c) => c.cmd === "conversation_settings")?.args).toEqual({ id: "c1" });
    const panel = openPanel(root);
    expect(byTestId<HTMLSelectElement>(panel, "setting-api")!.value).toBe("invokeModel");
    expect(byTestId<HTMLTextAreaElement>(panel, "setting-system")!.value).toBe("You are terse.");
    expect(byTestId<HTMLInputElement>(panel, "setting-max-tokens")!.value).toBe("2000");
    expect(byTestId<HTMLTextAreaElement>(panel, "setting-stop")!.value).toBe("END");
    expect(byTestId<HTMLInputElement>(panel, "setting-temperature")!.value).toBe("");
  });

  it("closes on Esc and gives focus back to the toggle", async () => {
    const { root } = await start();
    const panel = openPanel(root);
    const system = byTestId<HTMLTextAreaElement>(panel, "setting-system")!;
    system.focus();
    system.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    await settle();
    expect(byTestId(root, "chat-settings")).toBeNull();
    expect(document.activeElement).toBe(byTestId(root, "chat-settings-toggle"));
  });

  it("explains Context1mUnsupported in plain words", async () => {
    const { root } = await start({
      send_message: () =>
        Promise.reject({ kind: "invalidInput", code: "Context1mUnsupported", message: "model does not accept context-1m" }),
    });
    await sendText(root, "Long input");
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("Context1mUnsupported");
    expect(notice.textContent).toContain("This model does not accept the 1M context window beta.");
  });
});

describe("the settings words", () => {
  type Tree = { [key: string]: string | Tree };
  function flatten(tree: Tree, prefix = ""): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, value] of Object.entries(tree)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof value === "string") out.set(path, value);
      else for (const [k, v] of flatten(value, path)) out.set(k, v);
    }
    return out;
  }
  const enKeys = flatten(en as Tree);
  const zhKeys = flatten(zhTW as Tree);
  const keys = [...enKeys.keys()].filter(
    (k) => k.startsWith("settings.") || k === "chat.cost" || k === "chat.total" || k.startsWith("errors.codes.Context1mUnsupported."),
  );

  it("exist in both languages and are translated", () => {
    expect(keys.length).toBeGreaterThan(30);
    for (const key of keys) expect(zhKeys.has(key), key).toBe(true);
    const same = keys.filter((k) => zhKeys.get(k) === enKeys.get(k)).sort();
    // Product names stay as they are.
    expect(same).toEqual(["settings.api", "settings.apiConverse", "settings.apiInvokeModel"]);
  });

  it("use the agreed zh-TW terms", () => {
    const zh = (key: string) => zhKeys.get(key) ?? "";
    expect(zh("settings.system")).toBe("系統提示");
    expect(zh("settings.temperature")).toContain("溫度");
    expect(zh("settings.thinking")).toBe("延伸思考");
    expect(zh("settings.context1m")).toContain("上下文視窗");
    expect(zh("settings.context1mHelp")).toContain("測試版標頭");
    expect(zh("settings.maxTokens")).toContain("Token");
    expect(zh("errors.codes.Context1mUnsupported.title")).toContain("上下文視窗");
  });

  it("give Context1mUnsupported its own words", () => {
    expect(errorText({ kind: "invalidInput", code: "Context1mUnsupported" }).title).toBe("errors.codes.Context1mUnsupported.title");
  });
});

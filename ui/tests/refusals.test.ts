import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { FIX_LABELS, withoutParameter } from "../src/lib/features/chat/refusal";
import { checkDraft, defaultSettings, draftFromSettings, type SettingsDraft } from "../src/lib/features/chat/settings";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { setLocale } from "../src/lib/i18n/index.svelte";
import { CHAT_PARAMETERS, type CairnError, type ChatSettings, type SendRequest } from "../src/lib/ipc";
import { FakeStream, mockBackend } from "./ipc-mock";
import { USAGE, allByTestId, byTestId, press, render, settle, stored, type, unmountAll } from "./dom";
import { ORIGIN, optionsOf, originTable } from "./model-table-fixture";

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  unmountAll();
  clearMocks();
});

const SONNET = `global.${ORIGIN[0].id}`; // Claude Sonnet 4.5: extended thinking, max output 64,000

function refusal(code: string, parameters: CairnError["parameters"], kind: CairnError["kind"] = "invalidInput"): CairnError {
  return { kind, code, message: `${code}: refused`, parameters };
}

type Answer = (request: SendRequest, stream: FakeStream) => unknown;

/** The app on a new chat with Claude Sonnet 4.5; `answer` scripts each send_message. */
async function start(answer: Answer, saved: ChatSettings = defaultSettings(), messages: unknown[] = []) {
  const requests: SendRequest[] = [];
  const summary = { id: "c1", title: "T", modelId: SONNET, updatedAt: "2025-01-01T10:00:00Z", messageCount: messages.length, pinned: false };
  mockBackend({
    app_status: () => ({ mode: "demo", connectionId: "demo", connectionName: null, region: "us-west-2", simulatorEndpoint: null, startupError: null }),
    list_models: () => optionsOf(originTable()),
    model_table: () => originTable(),
    list_conversations: () => [summary],
    get_conversation: () => ({ summary, messages }),
    conversation_settings: () => saved,
    send_message: async (args) => {
      const stream = new FakeStream(args);
      requests.push(stream.request);
      return answer(stream.request, stream);
    },
  });
  const root = render(App, {});
  await settle();
  return { root, requests };
}

function answerWith(text: string): Answer {
  return (_request, stream) => {
    stream.emit({ type: "started", conversationId: "c1", userMessageId: "u1", assistantMessageId: "a1", continuedFrom: null });
    stream.emit({ type: "delta", text });
    stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
    return null;
  };
}

/** Refuses the first send with `error`, answers the next ones. */
function refuseOnce(error: CairnError): Answer {
  let first = true;
  return (request, stream) => {
    if (first) {
      first = false;
      return Promise.reject(error);
    }
    return answerWith("Fine")(request, stream);
  };
}

function setField(root: HTMLElement, id: string, value: string): void {
  type(byTestId<HTMLInputElement>(root, id)!, value);
}

function openSettings(root: HTMLElement): void {
  byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
  flushSync();
}

async function sendText(root: HTMLElement, text: string): Promise<void> {
  const composer = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
  type(composer, text);
  press(composer, "Enter");
  await settle();
}

describe("a send refused for its settings", () => {
  it("explains the code in plain words, keeps the text, and drops top-p to send again", async () => {
    const { root, requests } = await start(refuseOnce(refusal("TemperatureWithTopP", ["temperature", "topP"])));
    openSettings(root);
    setField(root, "setting-temperature", "0.5");
    setField(root, "setting-top-p", "0.9");
    await sendText(root, "Plan my hike");

    expect(requests).toHaveLength(1);
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("TemperatureWithTopP");
    expect(notice.textContent).toContain("Claude Sonnet 4.5 takes either temperature or top-p, not both.");
    // Nothing was stored: no message is left in the list, the text is back in the composer.
    expect(allByTestId(root, "message")).toHaveLength(0);
    expect(byTestId<HTMLTextAreaElement>(root, "composer-input")!.value).toBe("Plan my hike");
    expect(byTestId(notice, "unsent-note")?.textContent).toContain("back in the message box");

    const buttons = allByTestId<HTMLButtonElement>(notice, "drop-parameter");
    expect(buttons.map((b) => b.textContent?.trim())).toEqual(["Drop temperature and send again", "Drop top-p and send again"]);
    buttons[1].click();
    await settle();

    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ text: "Plan my hike", action: null });
    expect(requests[1].settings).toMatchObject({ temperature: 0.5, topP: null });
    expect(byTestId<HTMLInputElement>(root, "setting-top-p")!.value).toBe("");
    expect(byTestId<HTMLInputElement>(root, "setting-temperature")!.value).toBe("0.5");
    expect(byTestId(root, "error-notice")).toBeNull();
    expect(byTestId<HTMLTextAreaElement>(root, "composer-input")!.value).toBe("");
    expect(allByTestId(root, "message").map((m) => m.dataset.status)).toEqual(["complete", "complete"]);
  });

  it("turns off extended thinking (budget null) when thinking is named", async () => {
    const { root, requests } = await start(refuseOnce(refusal("ThinkingWithTemperature", ["thinking", "temperature"])));
    openSettings(root);
    setField(root, "setting-temperature", "0.3");
    const thinking = byTestId<HTMLInputElement>(root, "setting-thinking")!;
    thinking.checked = true;
    thinking.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    setField(root, "setting-thinking-budget", "2048");
    await sendText(root, "Think about it");
    expect(requests[0].settings).toMatchObject({ thinkingBudget: 2048, temperature: 0.3 });

    const notice = byTestId(root, "error-notice")!;
    expect(notice.textContent).toContain("With extended thinking, temperature must be 1.");
    const off = allByTestId<HTMLButtonElement>(notice, "drop-parameter").find((b) => b.dataset.parameter === "thinking")!;
    expect(off.textContent?.trim()).toBe("Turn off extended thinking and send again");
    off.click();
    await settle();
    expect(requests[1]).toMatchObject({ text: "Think about it", settings: { thinkingBudget: null, temperature: 0.3 } });
    expect(byTestId<HTMLInputElement>(root, "setting-thinking")!.checked).toBe(false);
  });

  it("a failed stream naming a setting (ValidationException) regenerates the stored answer without it", async () => {
    let round = 0;
    const { root, requests } = await start((request, stream) => {
      if (round++ > 0) return answerWith("Better")(request, stream);
      stream.emit({ type: "started", conversationId: "c1", userMessageId: "u1", assistantMessageId: "a1", continuedFrom: null });
      stream.emit({ type: "failed", error: refusal("ValidationException", ["topK"]) });
      return null;
    });
    openSettings(root);
    setField(root, "setting-top-k", "40");
    await sendText(root, "Hello");

    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("ValidationException");
    expect(notice.textContent).toContain("Amazon Bedrock refused a setting of this conversation.");
    expect(byTestId(notice, "unsent-note")).toBeNull();
    const drop = byTestId<HTMLButtonElement>(notice, "drop-parameter")!;
    expect(drop.textContent?.trim()).toBe("Drop top-k and send again");
    drop.click();
    await settle();
    expect(requests[1]).toMatchObject({ text: "", action: { type: "regenerate", messageId: "a1" }, settings: { topK: null } });
    expect(allByTestId(root, "message").map((m) => [m.dataset.role, m.dataset.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
  });

  it("an edit refused before anything was stored reopens the editor with the text, and resends the edit", async () => {
    const saved = { ...defaultSettings(), maxTokens: 64_000, stopSequences: ["END"] };
    const { root, requests } = await start(
      refuseOnce(refusal("MaxTokensAboveLimit", ["maxTokens"])),
      saved,
      [stored("u1", "user", "Old"), stored("a1", "assistant", "Old answer")],
    );
    byTestId<HTMLButtonElement>(root, "conversation-item")!.click();
    await settle();
    byTestId<HTMLButtonElement>(root, "edit-message")!.click();
    flushSync();
    type(byTestId<HTMLTextAreaElement>(root, "edit-input")!, "New");
    press(byTestId(root, "edit-input")!, "Enter");
    await settle();

    expect(byTestId<HTMLTextAreaElement>(root, "edit-input")?.value).toBe("New");
    expect(allByTestId(root, "message")).toHaveLength(2);
    const notice = byTestId(root, "error-notice")!;
    expect(notice.textContent).toContain("Max tokens is more than Claude Sonnet 4.5 can write in one answer.");
    expect(byTestId(notice, "unsent-note")?.textContent).toContain("still in the editor");
    byTestId<HTMLButtonElement>(notice, "drop-parameter")!.click();
    await settle();
    expect(requests[1]).toMatchObject({ text: "New", action: { type: "edit", messageId: "u1" }, settings: { maxTokens: null, stopSequences: ["END"] } });
    expect(byTestId(root, "edit-input")).toBeNull();
  });

  it("speaks Traditional Chinese", async () => {
    setLocale("zh-TW");
    const { root } = await start(refuseOnce(refusal("ThinkingWithTopK", ["topK"])));
    await sendText(root, "你好");
    const notice = byTestId(root, "error-notice")!;
    expect(notice.textContent).toContain("使用延伸思考時不能設定 Top-k。");
    expect(byTestId(notice, "drop-parameter")?.textContent?.trim()).toBe("移除 Top-k 並重新傳送");
    expect(byTestId<HTMLTextAreaElement>(root, "composer-input")!.value).toBe("你好");
  });
});

describe("withoutParameter", () => {
  const full: ChatSettings = {
    api: "invokeModel",
    system: "S",
    maxTokens: 5000,
    temperature: 0.7,
    topP: 0.9,
    topK: 5,
    stopSequences: ["x"],
    thinkingBudget: 2048,
    context1m: true,
  };

  it.each([
    ["temperature", { temperature: null }],
    ["topP", { topP: null }],
    ["topK", { topK: null }],
    ["maxTokens", { maxTokens: null }],
    ["stopSequences", { stopSequences: [] }],
    ["thinking", { thinkingBudget: null }],
    ["context1m", { context1m: false }],
  ] as const)("clears %s and nothing else", (parameter, change) => {
    expect(withoutParameter(full, parameter)).toEqual({ ...full, ...change });
    expect(full.stopSequences).toEqual(["x"]);
  });

  it("has a button label for every parameter in both languages", () => {
    const lookup = (tree: unknown, key: string) =>
      key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
    for (const parameter of CHAT_PARAMETERS) {
      const key = FIX_LABELS[parameter];
      expect(typeof lookup(en, key), key).toBe("string");
      expect(typeof lookup(zhTW, key), key).toBe("string");
      expect(lookup(zhTW, key)).not.toBe(lookup(en, key));
    }
    expect(lookup(zhTW, "errors.fix.thinking")).toContain("延伸思考");
  });
});

describe("the settings panel warns before sending", () => {
  const THINKING = { maxOutput: 64_000, thinking: true, context1mBeta: true };
  const draft = (over: Partial<SettingsDraft>) => ({ ...draftFromSettings(defaultSettings()), thinking: true, thinkingBudget: "2048", ...over });

  it("about temperature other than 1 and any top-k with extended thinking, without blocking", () => {
    const checked = checkDraft(draft({ temperature: "0.5", topK: "40" }), THINKING);
    expect(checked.warnings).toEqual({
      temperature: { key: "settings.warning.thinkingTemperature" },
      topK: { key: "settings.warning.thinkingTopK" },
    });
    expect(checked.settings).not.toBeNull();
    expect(checkDraft(draft({ temperature: "1" }), THINKING).warnings).toEqual({});
    expect(checkDraft(draft({ temperature: "0.5", thinking: false }), THINKING).warnings).toEqual({});
    // A model without extended thinking does not send it, so nothing to warn about.
    expect(checkDraft(draft({ topK: "40" }), { ...THINKING, thinking: false }).warnings).toEqual({});
  });

  it("blocks a thinking budget of max tokens or more", () => {
    const checked = checkDraft(draft({ maxTokens: "2000", thinkingBudget: "2000" }), THINKING);
    expect(checked.settings).toBeNull();
    expect(checked.problems.thinkingBudget).toEqual({ key: "settings.invalid.budgetAboveMax", params: { max: 2000 } });
  });

  it("shows the warnings inline, tied to their fields", async () => {
    const { root, requests } = await start(answerWith("ok"));
    openSettings(root);
    const thinking = byTestId<HTMLInputElement>(root, "setting-thinking")!;
    thinking.checked = true;
    thinking.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    setField(root, "setting-thinking-budget", "2048");
    setField(root, "setting-temperature", "0.4");
    setField(root, "setting-top-k", "10");

    const warnings = allByTestId(root, "setting-warning");
    expect(warnings.map((w) => w.dataset.field)).toEqual(["temperature", "topK"]);
    expect(warnings[0].textContent?.trim()).toBe("With extended thinking, temperature must be 1 or empty: Amazon Bedrock refuses other values.");
    const temperature = byTestId<HTMLInputElement>(root, "setting-temperature")!;
    expect(temperature.getAttribute("aria-describedby")).toContain(warnings[0].id);
    expect(temperature.getAttribute("aria-invalid")).toBeNull();

    setField(root, "setting-max-tokens", "2048");
    expect(root.textContent).toContain("The thinking budget must be less than max tokens (2048).");
    expect(byTestId<HTMLButtonElement>(root, "send-button")!.disabled).toBe(true);

    setField(root, "setting-max-tokens", "4096");
    setField(root, "setting-temperature", "1");
    setField(root, "setting-top-k", "");
    expect(allByTestId(root, "setting-warning")).toHaveLength(0);
    await sendText(root, "Go");
    expect(requests[0].settings).toMatchObject({ temperature: 1, topK: null, thinkingBudget: 2048, maxTokens: 4096 });
  });
});

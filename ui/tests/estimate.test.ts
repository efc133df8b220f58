import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { InputEstimator, type EstimateInput } from "../src/lib/features/chat/estimate.svelte";
import { defaultSettings } from "../src/lib/features/chat/settings";
import { setLocale, t } from "../src/lib/i18n/index.svelte";
import type { AttachResult, DocumentInfo, InputEstimate, SendRequest } from "../src/lib/ipc";
import { deferred, mockBackend, type Call } from "./ipc-mock";
import { DEMO_STATUS, MODELS, allByTestId, byTestId, render, settle, type, unmountAll } from "./dom";

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
  // Only the debounce's timers are faked; time still runs, so `settle()` works as elsewhere.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldAdvanceTime: true });
});

afterEach(() => {
  unmountAll();
  clearMocks();
  vi.useRealTimers();
});

function doc(n: number): DocumentInfo {
  return { id: `sha-${n}`, name: `report-${n}.pdf`, pages: 3 + n, sizeBytes: 2_400_000 + n };
}

function attached(document: DocumentInfo): AttachResult {
  return { name: document.name, document, error: null };
}

const ESTIMATE: InputEstimate = { inputTokens: 12_345, costUsd: 0.037, priceDate: "2026-11-01" };

function estimateCalls(calls: Call[]): SendRequest[] {
  return calls.filter((c) => c.cmd === "estimate_message").map((c) => (c.args as { request: SendRequest }).request);
}

function refusal(code: string, message = "technical detail") {
  return { kind: "invalidInput", code, message, parameters: [] };
}

async function startApp(estimate: (request: SendRequest) => unknown = () => ESTIMATE, extra: Record<string, (args: unknown) => unknown> = {}) {
  const calls = mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => MODELS,
    list_conversations: () => [],
    conversation_settings: () => defaultSettings(),
    pick_documents: () => [attached(doc(1)), attached(doc(2))],
    estimate_message: (args) => estimate((args as { request: SendRequest }).request),
    ...extra,
  });
  const root = render(App, {});
  await settle();
  return { root, calls };
}

async function attach(root: HTMLElement): Promise<void> {
  byTestId<HTMLButtonElement>(root, "attach-button")!.click();
  await settle();
}

function line(root: ParentNode): HTMLElement | null {
  return byTestId(root, "input-estimate");
}

describe("the input estimate under the chips", () => {
  it("counts at once after attaching, with the stand-in question, and shows tokens and cost", async () => {
    const { root, calls } = await startApp();
    await attach(root);
    const requests = estimateCalls(calls);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      conversationId: null,
      modelId: "global.a.sonnet",
      text: "(your question)",
      action: null,
      documents: [doc(1), doc(2)],
      settings: { documentCitations: true },
    });
    const shown = line(root)!;
    expect(shown.getAttribute("role")).toBe("status");
    expect(shown.dataset.status).toBe("ready");
    expect(shown.textContent?.trim()).toBe("About 12,345 input tokens · ≈ $0.0370 (estimate before caching, prices of 2026-11-01)");
    // Nothing is sent or stored.
    expect(calls.some((c) => c.cmd === "send_message")).toBe(false);
    expect(allByTestId(root, "message")).toEqual([]);

    // The stand-in question is in the reader's language, so it is counted again.
    setLocale("zh-TW");
    flushSync();
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(estimateCalls(calls).at(-1)?.text).toBe("（你的問題）");
    expect(line(root)!.textContent?.trim()).toBe("約 12,345 個輸入 Token · ≈ US$0.0370（快取前的預估，2026-11-01 的價格）");
  });

  it("leaves the cost out when there is no price", async () => {
    const { root } = await startApp(() => ({ inputTokens: 980, costUsd: null, priceDate: null }));
    await attach(root);
    expect(line(root)!.textContent?.trim()).toBe("About 980 input tokens");
  });

  it("says it is counting while the backend counts", async () => {
    const answer = deferred<InputEstimate>();
    const { root } = await startApp(() => answer.promise);
    await attach(root);
    expect(line(root)!.dataset.status).toBe("counting");
    expect(line(root)!.textContent?.trim()).toBe("Counting tokens…");
    answer.resolve(ESTIMATE);
    await settle();
    expect(line(root)!.textContent).toContain("About 12,345 input tokens");
  });

  it("counts typed text once typing pauses for 600 ms", async () => {
    const { root, calls } = await startApp(() => ESTIMATE);
    await attach(root);
    expect(estimateCalls(calls)).toHaveLength(1);
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    type(input, "W");
    type(input, "Wha");
    type(input, "What do they say?");
    await settle();
    expect(line(root)!.dataset.status).toBe("counting");
    await vi.advanceTimersByTimeAsync(400);
    type(input, "What do they say about revenue?");
    await vi.advanceTimersByTimeAsync(400);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    await settle();
    const requests = estimateCalls(calls);
    expect(requests).toHaveLength(2);
    expect(requests[1].text).toBe("What do they say about revenue?");
    expect(line(root)!.dataset.status).toBe("ready");

    // Emptied again: the stand-in question is counted.
    type(input, "   ");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(estimateCalls(calls).at(-1)?.text).toBe("(your question)");
  });

  it("counts again when the documents or the settings change", async () => {
    const { root, calls } = await startApp();
    await attach(root);
    byTestId<HTMLButtonElement>(allByTestId(root, "document-chip")[0], "document-chip-remove")!.click();
    await settle();
    expect(estimateCalls(calls).map((r) => r.documents?.map((d) => d.id))).toEqual([["sha-1", "sha-2"], ["sha-2"]]);

    byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
    flushSync();
    byTestId<HTMLInputElement>(root, "setting-document-citations")!.click();
    flushSync();
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(3);
    expect(estimateCalls(calls)[2].settings?.documentCitations).toBe(false);
  });

  it("shows only the latest request's answer", async () => {
    const answers: Array<ReturnType<typeof deferred<InputEstimate>>> = [];
    const { root, calls } = await startApp(() => {
      const answer = deferred<InputEstimate>();
      answers.push(answer);
      return answer.promise;
    });
    await attach(root);
    const input = byTestId<HTMLTextAreaElement>(root, "composer-input")!;
    type(input, "First question");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(2);

    // The latest answer arrives first; the older ones must not replace it.
    answers[1].resolve({ inputTokens: 2_000, costUsd: 0.006, priceDate: "2026-11-01" });
    await settle();
    expect(line(root)!.textContent).toContain("About 2,000 input tokens");
    answers[0].resolve({ inputTokens: 1_000, costUsd: 0.003, priceDate: "2026-11-01" });
    await settle();
    expect(line(root)!.textContent).toContain("About 2,000 input tokens");

    // A newer request makes an answer still on its way stale, even before the wait is over.
    type(input, "Second question");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    type(input, "Third question");
    await settle();
    answers[2].resolve({ inputTokens: 3_000, costUsd: null, priceDate: null });
    await settle();
    expect(line(root)!.dataset.status).toBe("counting");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    answers[3].resolve({ inputTokens: 4_000, costUsd: null, priceDate: null });
    await settle();
    expect(line(root)!.textContent?.trim()).toBe("About 4,000 input tokens");
  });

  it("shows the plain words of a refusal before anything is sent", async () => {
    const { root, calls } = await startApp(() => Promise.reject(refusal("DocumentTooManyPages", "600 pages")));
    await attach(root);
    const shown = line(root)!;
    expect(shown.getAttribute("role")).toBe("status");
    expect(shown.dataset.status).toBe("failed");
    expect(shown.dataset.code).toBe("DocumentTooManyPages");
    expect(shown.textContent?.trim()).toBe(
      "This PDF has more pages than Claude can read in one request. Models with a 200K context read up to 100 pages; " +
        "with the 1M context, up to 600. Split the PDF, or turn on 1M context (beta) with Claude Sonnet 4 or 4.5.",
    );
    expect(shown.textContent).not.toContain("technical detail");
    expect(calls.some((c) => c.cmd === "send_message")).toBe(false);
    expect(byTestId(root, "error-notice")).toBeNull();
  });

  it("names the chosen model in a refusal, in both languages; an unknown code gets its kind's words", async () => {
    let code = "TemperatureWithTopP";
    const { root, calls } = await startApp(() => Promise.reject(refusal(code)));
    await attach(root);
    expect(line(root)!.textContent?.trim()).toBe(
      "Claude Sonnet 4.5 takes either temperature or top-p, not both. Drop one of them and send again.",
    );
    setLocale("zh-TW");
    flushSync();
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(line(root)!.textContent?.trim()).toBe("Claude Sonnet 4.5 只接受溫度或 Top-p 其中之一，不能同時設定。請移除其中一項後重新傳送。");

    setLocale("en");
    code = "SomethingNew";
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Why?");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(3);
    expect(line(root)!.dataset.code).toBe("SomethingNew");
    expect(line(root)!.textContent).toContain(t("errors.invalidInput.title"));
  });

  it("shows nothing and asks nothing without documents", async () => {
    const { root, calls } = await startApp();
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Hello");
    await vi.advanceTimersByTimeAsync(650);
    await settle();
    expect(line(root)).toBeNull();
    expect(estimateCalls(calls)).toEqual([]);

    // Attached, then removed again: the line goes and a late answer does not bring it back.
    const answer = deferred<InputEstimate>();
    mockBackend({
      app_status: () => DEMO_STATUS,
      list_models: () => MODELS,
      list_conversations: () => [],
      pick_documents: () => [attached(doc(1))],
      estimate_message: () => answer.promise,
    });
    await attach(root);
    expect(line(root)).not.toBeNull();
    byTestId<HTMLButtonElement>(root, "document-chip-remove")!.click();
    await settle();
    answer.resolve(ESTIMATE);
    await settle();
    expect(line(root)).toBeNull();
  });
});

describe("InputEstimator", () => {
  const INPUT: EstimateInput = {
    conversationId: "c1",
    history: 2,
    modelId: "m",
    text: "Hi",
    settings: defaultSettings(),
    documents: [doc(1)],
  };

  it("counts a new context at once, waits for text, and asks nothing for the same message", async () => {
    const calls = mockBackend({ estimate_message: () => ESTIMATE });
    const estimator = new InputEstimator(600);
    estimator.update(INPUT);
    estimator.update({ ...INPUT });
    await settle();
    expect(estimateCalls(calls)).toHaveLength(1);
    expect(estimator.state).toEqual({ status: "ready", estimate: ESTIMATE });

    estimator.update({ ...INPUT, text: "Hi there" });
    expect(estimator.state).toEqual({ status: "counting" });
    await vi.advanceTimersByTimeAsync(599);
    expect(estimateCalls(calls)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(2);

    // Another model is counted at once, with the latest text.
    estimator.update({ ...INPUT, text: "Hi there!", modelId: "m2" });
    await settle();
    expect(estimateCalls(calls).at(-1)).toMatchObject({ modelId: "m2", text: "Hi there!", conversationId: "c1" });

    estimator.update(null);
    expect(estimator.state).toBeNull();
    estimator.dispose();
  });

  it("holds while the conversation changes and counts again afterwards", async () => {
    const calls = mockBackend({ estimate_message: () => ESTIMATE });
    const estimator = new InputEstimator(600);
    estimator.update(INPUT);
    await settle();
    estimator.hold();
    expect(estimator.state).toEqual({ status: "counting" });
    estimator.update(INPUT);
    await settle();
    expect(estimateCalls(calls)).toHaveLength(2);
    expect(estimator.state?.status).toBe("ready");
  });
});

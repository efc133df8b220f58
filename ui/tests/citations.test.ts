import { clearMocks, mockConvertFileSrc } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { insertCitationMarkers, markCitations } from "../src/lib/citations";
import { defaultSettings } from "../src/lib/features/chat/settings";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { Citation } from "../src/lib/ipc";
import { renderMarkdown } from "../src/lib/markdown";
import { FakeStream, mockBackend } from "./ipc-mock";
import { DEMO_STATUS, MODELS, USAGE, allByTestId, byTestId, press, render, settle, stored, type, unmountAll } from "./dom";

// pdf.js, as the viewer uses it: a document of nine pages whose draws are recorded.
const pdfjs = vi.hoisted(() => {
  const state = {
    opened: [] as Array<Record<string, unknown>>,
    drawn: [] as number[],
    destroyed: 0,
    fail: false,
  };
  const GlobalWorkerOptions = { workerSrc: "" };
  function getDocument(params: Record<string, unknown>) {
    state.opened.push(params);
    const pdf = {
      numPages: 9,
      getPage: async (number: number) => ({
        getViewport: ({ scale }: { scale: number }) => ({ width: 600 * scale, height: 800 * scale }),
        render: () => {
          state.drawn.push(number);
          return { promise: Promise.resolve(), cancel: () => {} };
        },
      }),
    };
    return {
      promise: state.fail ? Promise.reject(new Error("Invalid PDF structure.")) : Promise.resolve(pdf),
      destroy: async () => {
        state.destroyed++;
      },
    };
  }
  return { state, GlobalWorkerOptions, getDocument };
});

vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({
  GlobalWorkerOptions: pdfjs.GlobalWorkerOptions,
  getDocument: pdfjs.getDocument,
}));

let fetched: string[] = [];
let fetchStatus = 200;

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
  fetched = [];
  fetchStatus = 200;
  pdfjs.state.opened = [];
  pdfjs.state.drawn = [];
  pdfjs.state.destroyed = 0;
  pdfjs.state.fail = false;
  vi.stubGlobal("fetch", async (url: string) => {
    fetched.push(String(url));
    return new Response(fetchStatus === 200 ? new Uint8Array([0x25, 0x50, 0x44, 0x46]) : "", { status: fetchStatus });
  });
});

afterEach(() => {
  unmountAll();
  clearMocks();
  vi.unstubAllGlobals();
});

function citation(number: number, textOffset: number, over: Partial<Citation> = {}): Citation {
  return {
    number,
    documentId: "sha-1",
    documentName: "財報.pdf",
    citedText: "Revenue rose 12%",
    pageStart: 2,
    pageEnd: 2,
    textOffset,
    ...over,
  };
}

function rendered(text: string, citations: Citation[]): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = insertCitationMarkers(renderMarkdown(markCitations(text, citations)));
  return div;
}

describe("citation markers in rendered Markdown", () => {
  it("puts each marker at its offset, after the cited words, inside the formatting", () => {
    const text = "Revenue grew **12%** in 2024.\n\nMargins were flat.";
    const html = rendered(text, [citation(1, text.indexOf("\n")), citation(2, text.length, { pageStart: 5, pageEnd: 5 })]);
    const markers = allByTestId(html, "citation-marker");
    expect(markers.map((m) => m.dataset.citation)).toEqual(["1", "2"]);
    expect(markers.map((m) => m.tagName)).toEqual(["BUTTON", "BUTTON"]);
    expect(markers[0].getAttribute("type")).toBe("button");
    expect(markers[0].dataset.label).toBe("[1]");
    expect(markers[0].parentElement?.tagName).toBe("SUP");
    const paragraphs = html.querySelectorAll("p");
    expect(paragraphs[0].textContent).toBe("Revenue grew 12% in 2024.");
    expect(paragraphs[0].querySelector("strong")?.textContent).toBe("12%");
    expect(paragraphs[0].lastElementChild?.contains(markers[0])).toBe(true);
    expect(paragraphs[1].contains(markers[1])).toBe(true);
  });

  it("moves a marker before trailing blank lines so it never starts a block", () => {
    const text = "First point.\n\n## Heading\n\nMore.";
    const html = rendered(text, [citation(1, "First point.\n\n".length)]);
    expect(html.querySelector("h2")?.textContent).toBe("Heading");
    expect(html.querySelector("p")?.querySelector('[data-testid="citation-marker"]')).not.toBeNull();
  });

  it("leaves out markers that would break the Markdown (start of the answer, a code fence's line)", () => {
    const text = "```js\nlet a = 1;\n```\nAfter.";
    const marked = markCitations(text, [citation(1, 0), citation(2, text.indexOf("\nAfter"))]);
    expect(marked).toBe(text);
    expect(rendered(text, [citation(1, 0)]).querySelector("pre code")?.textContent).toBe("let a = 1;\n");
  });

  it("places several citations at one offset in order and clamps offsets past the end", () => {
    const text = "Both agree.";
    const html = rendered(text, [citation(2, 11), citation(1, 11), citation(3, 500)]);
    expect(allByTestId(html, "citation-marker").map((m) => m.dataset.citation)).toEqual(["2", "1", "3"]);
  });

  it("never lets the answer inject markup or pose as a marker", () => {
    const text = "Look <img src=x onerror=alert(1)> \uE0009\uE001 here <button>x</button>.";
    const html = rendered(text, [citation(1, text.length)]);
    expect(html.querySelector("img")).toBeNull();
    expect(html.querySelector("[onerror]")).toBeNull();
    expect(allByTestId(html, "citation-marker").map((m) => m.dataset.citation)).toEqual(["1"]);
    expect(html.querySelectorAll("button")).toHaveLength(1);
    expect(html.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(html.textContent).not.toMatch(/[\uE000\uE001]/);
    // Without citations the HTML is the sanitizer's, untouched.
    expect(insertCitationMarkers(renderMarkdown("plain"))).toBe(renderMarkdown("plain"));
  });
});

// --- In the chat -------------------------------------------------------------------------------

const SUMMARY = { id: "c1", title: "財報", modelId: "global.a.sonnet", updatedAt: "2025-01-01T10:00:00Z", messageCount: 2, pinned: false };
const ANSWER = "Revenue grew **12%** in 2024.\n\nMargins were flat.";
const CITATIONS = [
  citation(1, ANSWER.indexOf("\n"), { citedText: "Revenue <b>+12%</b> year on year" }),
  citation(2, ANSWER.length, { pageStart: 5, pageEnd: 6, citedText: "Gross margin 41%" }),
  citation(3, ANSWER.length, { documentId: null, documentName: "gone.pdf", pageStart: null, pageEnd: null, citedText: "Old note" }),
];
const DOCUMENT = { id: "sha-1", name: "財報.pdf", pages: 9, sizeBytes: 2_400_000 };

async function openConversation(extra: Record<string, (args: unknown) => unknown> = {}) {
  mockConvertFileSrc("linux");
  const requests: FakeStream["request"][] = [];
  mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => MODELS,
    list_conversations: () => [SUMMARY],
    conversation_settings: () => defaultSettings(),
    get_conversation: () => ({
      summary: SUMMARY,
      messages: [
        { ...stored("u1", "user", "What happened?"), documents: [DOCUMENT], citations: [] },
        { ...stored("a1", "assistant", ANSWER, { usage: USAGE }), documents: [], citations: CITATIONS },
      ],
    }),
    ...extra,
  });
  const root = render(App, {});
  await settle();
  byTestId<HTMLButtonElement>(root, "conversation-item")!.click();
  await settle();
  return { root, requests };
}

function answer(root: ParentNode): HTMLElement {
  return allByTestId(root, "message").find((m) => m.dataset.role === "assistant")!;
}

function markers(root: ParentNode): HTMLButtonElement[] {
  return allByTestId<HTMLButtonElement>(answer(root), "citation-marker");
}

describe("citations in an answer", () => {
  it("shows numbered markers inline with their page and spoken name, and lists the sources", async () => {
    const { root } = await openConversation();
    const found = markers(root);
    expect(found.map((m) => [m.dataset.citation, m.dataset.page])).toEqual([
      ["1", "2"],
      ["2", "5"],
      ["3", undefined],
    ]);
    expect(found[0].getAttribute("aria-label")).toBe("Citation 1: 財報.pdf, page 2");
    expect(found[2].getAttribute("aria-label")).toBe("Citation 3: gone.pdf");
    expect(found[0].getAttribute("aria-expanded")).toBe("false");
    // The marker's "[1]" is drawn by CSS: the answer's text stays its own.
    expect(byTestId(answer(root), "message-text")?.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Revenue grew 12% in 2024. Margins were flat.",
    );

    const sources = byTestId(answer(root), "citation-sources")!;
    expect(sources.textContent).toContain("Sources:");
    expect(allByTestId(sources, "citation-source").map((s) => s.textContent)).toEqual([
      "[1] 財報.pdf, page 2",
      "[2] 財報.pdf, pages 5–6",
      "[3] gone.pdf",
    ]);
    setLocale("zh-TW");
    await settle();
    expect(allByTestId(sources, "citation-source")[0].textContent).toBe("[1] 財報.pdf，第 2 頁");
    expect(markers(root)[0].getAttribute("aria-label")).toBe("引用 1：財報.pdf，第 2 頁");
    expect(sources.textContent).toContain("來源：");
  });

  it("shows the sent PDFs on the user message", async () => {
    const { root } = await openConversation();
    const user = allByTestId(root, "message").find((m) => m.dataset.role === "user")!;
    expect(allByTestId(user, "message-document").map((d) => [d.dataset.name, d.textContent?.includes("9 pages")])).toEqual([
      ["財報.pdf", true],
    ]);
  });

  it("a marker opens the cited passage as plain text and the PDF at that page; Close returns focus", async () => {
    const { root } = await openConversation();
    const marker = markers(root)[0];
    marker.focus();
    marker.click();
    await settle();

    const detail = byTestId(answer(root), "citation-detail")!;
    expect(detail.textContent).toContain("Revenue <b>+12%</b> year on year");
    expect(detail.querySelector("b")).toBeNull();
    expect(detail.textContent).toContain("From 財報.pdf, page 2");
    expect(marker.getAttribute("aria-expanded")).toBe("true");
    expect(marker.getAttribute("aria-controls")).toBe(detail.id);

    const viewer = byTestId(root, "pdf-viewer")!;
    expect(viewer.dataset.document).toBe("sha-1");
    expect(viewer.dataset.page).toBe("2");
    expect(viewer.getAttribute("aria-label")).toBe("PDF viewer: 財報.pdf");
    expect(fetched).toEqual(["cairn-doc://localhost/sha-1"]);
    expect(pdfjs.state.opened).toHaveLength(1);
    expect(pdfjs.state.opened[0]).toMatchObject({ isEvalSupported: false, useWasm: false, enableXfa: false });
    expect(pdfjs.state.opened[0].data).toBeInstanceOf(Uint8Array);
    expect(pdfjs.state.opened[0]).not.toHaveProperty("cMapUrl");
    expect(pdfjs.state.opened[0]).not.toHaveProperty("standardFontDataUrl");
    expect(pdfjs.GlobalWorkerOptions.workerSrc).toContain("pdf.worker.min");
    expect(pdfjs.state.drawn).toEqual([2]);
    expect(byTestId(viewer, "pdf-viewer-canvas")).not.toBeNull();
    expect(byTestId(viewer, "pdf-viewer-page")?.textContent?.trim()).toBe("Page 2 of 9");
    // Focus stays on the marker while the pane opens beside the chat.
    expect(document.activeElement).toBe(marker);

    byTestId<HTMLButtonElement>(viewer, "pdf-viewer-next")!.click();
    await settle();
    expect(viewer.dataset.page).toBe("3");
    expect(pdfjs.state.drawn).toEqual([2, 3]);
    byTestId<HTMLButtonElement>(viewer, "pdf-viewer-previous")!.click();
    byTestId<HTMLButtonElement>(viewer, "pdf-viewer-previous")!.click();
    await settle();
    expect(viewer.dataset.page).toBe("1");
    expect(byTestId<HTMLButtonElement>(viewer, "pdf-viewer-previous")!.disabled).toBe(true);

    byTestId<HTMLButtonElement>(viewer, "pdf-viewer-close")!.focus();
    byTestId<HTMLButtonElement>(viewer, "pdf-viewer-close")!.click();
    await settle();
    expect(byTestId(root, "pdf-viewer")).toBeNull();
    expect(document.activeElement).toBe(marker);
    expect(pdfjs.state.destroyed).toBe(1);
  });

  it("Esc in the viewer closes it and focus goes back to the marker; Esc on the marker closes the detail", async () => {
    const { root } = await openConversation();
    const marker = markers(root)[1];
    marker.click();
    await settle();
    const viewer = byTestId(root, "pdf-viewer")!;
    expect(viewer.dataset.page).toBe("5");
    const next = byTestId<HTMLButtonElement>(viewer, "pdf-viewer-next")!;
    next.focus();
    press(next, "Escape");
    await settle();
    expect(byTestId(root, "pdf-viewer")).toBeNull();
    expect(document.activeElement).toBe(marker);
    expect(byTestId(answer(root), "citation-detail")).not.toBeNull();

    press(marker, "Escape");
    await settle();
    expect(byTestId(answer(root), "citation-detail")).toBeNull();
    expect(marker.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(marker);
  });

  it("Esc anywhere closes the viewer unless something focused used it", async () => {
    const { root } = await openConversation();
    const marker = markers(root)[0];
    marker.click();
    await settle();
    expect(byTestId(root, "pdf-viewer")).not.toBeNull();
    press(document.body, "Escape");
    await settle();
    expect(byTestId(root, "pdf-viewer")).toBeNull();
    expect(byTestId(answer(root), "citation-detail")).not.toBeNull();
    expect(document.activeElement).toBe(marker);

    // Esc in the settings panel closes the panel only.
    byTestId<HTMLButtonElement>(answer(root), "citation-show-page")!.click();
    await settle();
    byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
    flushSync();
    press(byTestId(root, "setting-system")!, "Escape");
    await settle();
    expect(byTestId(root, "chat-settings")).toBeNull();
    expect(byTestId(root, "pdf-viewer")).not.toBeNull();

    // The detail's × closes it and the viewer opened for it.
    byTestId(answer(root), "citation-detail")!.querySelector<HTMLButtonElement>("button")!.click();
    await settle();
    expect(byTestId(answer(root), "citation-detail")).toBeNull();
    expect(byTestId(root, "pdf-viewer")).toBeNull();
  });

  it("a source in the list does the same; a citation without a stored document shows its text only", async () => {
    const { root } = await openConversation();
    const sources = allByTestId<HTMLButtonElement>(answer(root), "citation-source");
    sources[2].click();
    await settle();
    expect(byTestId(answer(root), "citation-detail")?.textContent).toContain("Old note");
    expect(byTestId(answer(root), "citation-show-page")).toBeNull();
    expect(byTestId(root, "pdf-viewer")).toBeNull();
    expect(sources[2].getAttribute("aria-expanded")).toBe("true");

    sources[0].click();
    await settle();
    expect(byTestId(root, "pdf-viewer")?.dataset.page).toBe("2");
    // Closing the viewer, then "Show page" opens it again.
    byTestId<HTMLButtonElement>(root, "pdf-viewer-close")!.click();
    await settle();
    expect(document.activeElement).toBe(sources[0]);
    byTestId<HTMLButtonElement>(answer(root), "citation-show-page")!.click();
    await settle();
    expect(byTestId(root, "pdf-viewer")?.dataset.page).toBe("2");
  });

  it("says plainly when the PDF cannot be loaded", async () => {
    fetchStatus = 404;
    const { root } = await openConversation();
    markers(root)[0].click();
    await settle();
    const viewer = byTestId(root, "pdf-viewer")!;
    expect(viewer.dataset.status).toBe("failed");
    expect(byTestId(viewer, "pdf-viewer-error")?.textContent).toContain("This PDF could not be opened.");
    expect(pdfjs.state.opened).toHaveLength(0);
  });

  it("says plainly when pdf.js cannot read it", async () => {
    pdfjs.state.fail = true;
    const { root } = await openConversation();
    markers(root)[0].click();
    await settle();
    expect(byTestId(root, "pdf-viewer-error")?.textContent).toContain("Attach it again in a new conversation");
  });

  it("adds markers while an answer streams", async () => {
    mockConvertFileSrc("linux");
    mockBackend({
      app_status: () => DEMO_STATUS,
      list_models: () => MODELS,
      list_conversations: () => [],
      conversation_settings: () => defaultSettings(),
      send_message: async (args) => {
        const stream = new FakeStream(args);
        stream.emit({ type: "started", conversationId: "c1", userMessageId: "u1", assistantMessageId: "a1", continuedFrom: null });
        stream.emit({ type: "delta", text: "The total is 41%." });
        stream.emit({ type: "citation", citation: citation(1, 17) });
        stream.emit({ type: "delta", text: " Costs fell." });
        stream.emit({ type: "citation", citation: citation(2, 29, { pageStart: 7, pageEnd: 7 }) });
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
    });
    const root = render(App, {});
    await settle();
    type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, "Totals?");
    press(byTestId(root, "composer-input")!, "Enter");
    await settle(10);
    expect(markers(root).map((m) => [m.dataset.citation, m.dataset.page])).toEqual([
      ["1", "2"],
      ["2", "7"],
    ]);
    expect(byTestId(answer(root), "message-text")?.textContent?.trim()).toBe("The total is 41%. Costs fell.");
    flushSync();
  });
});

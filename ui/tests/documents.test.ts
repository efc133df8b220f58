import { emit } from "@tauri-apps/api/event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { DocumentAttachments } from "../src/lib/features/chat/attachments.svelte";
import { ChatSession } from "../src/lib/features/chat/chat.svelte";
import { MAX_DOCUMENTS, pageWords, pagesWords, sizeWords, visualAnalysisWords } from "../src/lib/features/chat/documents";
import { defaultSettings } from "../src/lib/features/chat/settings";
import { formatNumber, setLocale, t } from "../src/lib/i18n/index.svelte";
import type { AttachResult, CairnError, DocumentInfo, SendRequest } from "../src/lib/ipc";
import { FakeStream, deferred, mockBackend } from "./ipc-mock";
import { DEMO_STATUS, MODELS, USAGE, allByTestId, byTestId, press, render, settle, stored, type, unmountAll } from "./dom";

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  unmountAll();
  clearMocks();
});

function doc(n: number, over: Partial<DocumentInfo> = {}): DocumentInfo {
  return { id: `sha-${n}`, name: `report-${n}.pdf`, pages: 3 + n, sizeBytes: 2_400_000 + n, ...over };
}

function attached(document: DocumentInfo): AttachResult {
  return { name: document.name, document, error: null };
}

function refused(name: string, code: string, kind: CairnError["kind"] = "invalidInput"): AttachResult {
  return { name, document: null, error: { kind, code, message: `${code}: technical detail`, parameters: [] } };
}

const format = (value: number, digits: number) =>
  formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const words = (w: { key: Parameters<typeof t>[0]; params?: Record<string, string | number> }) => t(w.key, w.params);

describe("how documents are described", () => {
  it("gives sizes in B, KB and MB with the locale's numbers", () => {
    expect(words(sizeWords(812, format))).toBe("812 B");
    expect(words(sizeWords(4_500, format))).toBe("4.5 KB");
    expect(words(sizeWords(45_200, format))).toBe("45 KB");
    expect(words(sizeWords(2_400_000, format))).toBe("2.4 MB");
    expect(words(sizeWords(999_990, format))).toBe("1.0 MB");
    expect(words(sizeWords(123_400_000, format))).toBe("123 MB");
    setLocale("zh-TW");
    expect(words(sizeWords(2_400_000, format))).toBe("2.4 MB");
    // A locale with a decimal comma writes it so.
    const german = (value: number, digits: number) =>
      new Intl.NumberFormat("de", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
    expect(sizeWords(2_400_000, german).params?.size).toBe("2,4");
  });

  it("counts pages and names cited pages", () => {
    expect(words(pagesWords(1))).toBe("1 page");
    expect(words(pagesWords(12))).toBe("12 pages");
    expect(words(pageWords({ pageStart: 2, pageEnd: 2 })!)).toBe("page 2");
    expect(words(pageWords({ pageStart: 3, pageEnd: 4 })!)).toBe("pages 3–4");
    expect(pageWords({ pageStart: null, pageEnd: null })).toBeNull();
    setLocale("zh-TW");
    expect(words(pagesWords(12))).toBe("12 頁");
    expect(words(pageWords({ pageStart: 2, pageEnd: null })!)).toBe("第 2 頁");
  });

  it("explains the Visual analysis switch for each API and state", () => {
    expect(words(visualAnalysisWords("converse", true))).toContain("reads each page as an image and as text");
    expect(words(visualAnalysisWords("converse", false))).toContain("only the text");
    expect(words(visualAnalysisWords("invokeModel", true))).toContain("citations are on");
    expect(words(visualAnalysisWords("invokeModel", false))).toContain("citations are off");
  });
});

describe("DocumentAttachments", () => {
  it("keeps each document once, at most five, and says which were left out", () => {
    mockBackend({});
    const attachments = new DocumentAttachments();
    attachments.add([attached(doc(1)), attached(doc(1)), attached(doc(2))]);
    expect(attachments.documents.map((d) => d.id)).toEqual(["sha-1", "sha-2"]);
    attachments.add([3, 4, 5, 6, 7].map((n) => attached(doc(n))));
    expect(attachments.documents).toHaveLength(MAX_DOCUMENTS);
    expect(attachments.notices).toEqual([{ id: expect.any(Number), kind: "limit", names: ["report-6.pdf", "report-7.pdf"] }]);
    // The same document again is not "a sixth".
    attachments.add([attached(doc(1))]);
    expect(attachments.notices).toHaveLength(1);
  });

  it("turns refusals into notices naming the file", () => {
    mockBackend({});
    const attachments = new DocumentAttachments();
    attachments.add([refused("scan.docx", "DocumentNotPdf"), attached(doc(1))]);
    expect(attachments.documents).toHaveLength(1);
    expect(attachments.notices).toMatchObject([{ kind: "refused", name: "scan.docx", error: { code: "DocumentNotPdf" } }]);
    attachments.dismiss(attachments.notices[0].id);
    expect(attachments.notices).toEqual([]);
  });

  it("picks through the backend; a cancelled dialog changes nothing; with five attached it only says so", async () => {
    const results: AttachResult[][] = [[attached(doc(1))], []];
    const calls = mockBackend({ pick_documents: () => results.shift() ?? [] });
    const attachments = new DocumentAttachments();
    await attachments.pick();
    await attachments.pick();
    expect(attachments.documents.map((d) => d.id)).toEqual(["sha-1"]);
    expect(attachments.notices).toEqual([]);
    attachments.add([2, 3, 4, 5].map((n) => attached(doc(n))));
    await attachments.pick();
    expect(calls.filter((c) => c.cmd === "pick_documents")).toHaveLength(2);
    expect(attachments.notices).toMatchObject([{ kind: "limit", names: [] }]);
  });

  it("reports a failed attach call as a notice without a name", async () => {
    mockBackend({ attach_documents: () => Promise.reject({ kind: "storage", code: null, message: "disk full", parameters: [] }) });
    const attachments = new DocumentAttachments();
    await attachments.attachPaths(["/tmp/a.pdf"]);
    expect(attachments.notices).toMatchObject([{ kind: "refused", name: null, error: { kind: "storage" } }]);
    expect(attachments.busy).toBe(false);
  });

  it("take empties the chips; restore puts a message's documents back first", () => {
    mockBackend({});
    const attachments = new DocumentAttachments();
    attachments.add([attached(doc(1)), attached(doc(2))]);
    const taken = attachments.take();
    expect(taken.map((d) => d.id)).toEqual(["sha-1", "sha-2"]);
    expect(attachments.documents).toEqual([]);
    attachments.add([attached(doc(3))]);
    attachments.restore(taken);
    expect(attachments.documents.map((d) => d.id)).toEqual(["sha-1", "sha-2", "sha-3"]);
    attachments.removeAll([doc(1), doc(3)]);
    expect(attachments.documents.map((d) => d.id)).toEqual(["sha-2"]);
  });
});

describe("ChatSession and documents", () => {
  const STARTED = { type: "started", conversationId: "c1", userMessageId: "u1", assistantMessageId: "a1", continuedFrom: null } as const;

  it("sends a new message's documents and shows them on the user message", async () => {
    const requests: SendRequest[] = [];
    mockBackend({
      send_message: async (args) => {
        const stream = new FakeStream(args);
        requests.push(stream.request);
        stream.emit(STARTED);
        stream.emit({ type: "delta", text: "Revenue grew." });
        stream.emit({
          type: "citation",
          citation: { number: 1, documentId: "sha-1", documentName: "report-1.pdf", citedText: "Revenue +12%", pageStart: 2, pageEnd: 2, textOffset: 13 },
        });
        stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
        return null;
      },
      list_conversations: () => [],
    });
    const chat = new ChatSession({ schedule: (run) => run() });
    await chat.send("Summarise", "m", null, [doc(1)]);
    expect(requests[0].documents).toEqual([doc(1)]);
    expect(chat.messages[0].documents).toEqual([doc(1)]);
    expect(chat.messages[1].citations).toMatchObject([{ number: 1, pageStart: 2, textOffset: 13 }]);
    expect(chat.messages[1].text).toBe("Revenue grew.");

    await chat.regenerate("a1", "m");
    expect(requests[1].action).toEqual({ type: "regenerate", messageId: "a1" });
    expect(requests[1]).not.toHaveProperty("documents");
  });

  it("keeps the documents with a send refused before anything was stored", async () => {
    mockBackend({
      send_message: () =>
        Promise.reject({ kind: "invalidInput", code: "DocumentUnsupportedModel", message: "no pdf", parameters: [] }),
      list_conversations: () => [],
    });
    const chat = new ChatSession();
    await chat.send("Summarise", "m", null, [doc(1)]);
    expect(chat.messages).toEqual([]);
    expect(chat.failedSend?.stored).toBe(false);
    expect(chat.failedSend?.input.documents).toEqual([doc(1)]);
  });

  it("gives stored messages without documents empty lists", async () => {
    const legacy = stored("u1", "user", "Hi");
    mockBackend({
      get_conversation: () => ({ summary: { id: "c1", title: "t", modelId: "m", updatedAt: "", messageCount: 1, pinned: false }, messages: [legacy] }),
    });
    const chat = new ChatSession();
    await chat.openConversation("c1");
    expect(chat.messages[0].documents).toEqual([]);
    expect(chat.messages[0].citations).toEqual([]);
  });
});

// --- The chat window ---------------------------------------------------------------------------

const SUMMARY = { id: "c1", title: "Reports", modelId: "global.a.sonnet", updatedAt: "2025-01-01T10:00:00Z", messageCount: 2, pinned: false };

type Backend = Record<string, (args: unknown) => unknown>;

async function startApp(extra: Backend = {}, answer?: (stream: FakeStream) => unknown) {
  const requests: SendRequest[] = [];
  const calls = mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => MODELS,
    list_conversations: () => [SUMMARY],
    conversation_settings: () => defaultSettings(),
    send_message: async (args) => {
      const stream = new FakeStream(args);
      requests.push(stream.request);
      if (answer) return answer(stream);
      stream.emit({ type: "started", conversationId: "c1", userMessageId: "u-new", assistantMessageId: "a-new", continuedFrom: null });
      stream.emit({ type: "delta", text: "It says hello." });
      stream.emit({ type: "done", usage: USAGE, stopReason: "end_turn" });
      return null;
    },
    ...extra,
  });
  const root = render(App, {});
  await settle();
  return { root, requests, calls };
}

function chips(root: ParentNode): HTMLElement[] {
  return allByTestId(root, "document-chip");
}

async function sendText(root: HTMLElement, text: string): Promise<void> {
  type(byTestId<HTMLTextAreaElement>(root, "composer-input")!, text);
  press(byTestId(root, "composer-input")!, "Enter");
  await settle();
}

describe("attaching PDFs in the composer", () => {
  it("Attach PDF opens the dialog; chips show name, pages and size, and remove with focus kept", async () => {
    const { root, calls } = await startApp({ pick_documents: () => [attached(doc(1)), attached(doc(2, { pages: 1, sizeBytes: 45_000 }))] });
    const attach = byTestId<HTMLButtonElement>(root, "attach-button")!;
    expect(attach.textContent?.trim()).toBe("Attach PDF");
    attach.click();
    await settle();
    expect(calls.filter((c) => c.cmd === "pick_documents")).toHaveLength(1);
    expect(chips(root).map((c) => c.dataset.name)).toEqual(["report-1.pdf", "report-2.pdf"]);
    expect(chips(root)[0].textContent).toContain("4 pages · 2.4 MB");
    expect(chips(root)[1].textContent).toContain("1 page · 45 KB");
    expect(root.querySelector('ul[aria-label="PDFs attached to your message"]')).not.toBeNull();

    const remove = byTestId<HTMLButtonElement>(chips(root)[0], "document-chip-remove")!;
    expect(remove.getAttribute("aria-label")).toBe("Remove report-1.pdf");
    remove.click();
    await settle();
    expect(chips(root).map((c) => c.dataset.name)).toEqual(["report-2.pdf"]);
    expect(document.activeElement).toBe(byTestId(chips(root)[0], "document-chip-remove"));
    byTestId<HTMLButtonElement>(chips(root)[0], "document-chip-remove")!.click();
    await settle();
    expect(chips(root)).toEqual([]);
    expect(document.activeElement).toBe(byTestId(root, "attach-button"));
  });

  it("says so when a sixth PDF is offered, and keeps each document once", async () => {
    const { root } = await startApp({
      pick_documents: () => [1, 2, 3, 4, 5, 1, 6].map((n) => attached(doc(n))),
    });
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    expect(chips(root)).toHaveLength(5);
    const notice = byTestId(root, "document-notice")!;
    expect(notice.dataset.kind).toBe("limit");
    expect(notice.textContent).toContain("At most 5 PDFs can go with one message.");
    expect(notice.textContent).toContain("Not attached: report-6.pdf.");
  });

  it("shows a refused file in a dismissible notice with plain words and a next step, in both languages", async () => {
    const { root } = await startApp({
      pick_documents: () => [refused("locked.pdf", "DocumentEncrypted"), refused("gone.pdf", "DocumentFileUnreadable", "storage")],
    });
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    const notices = allByTestId(root, "document-notice");
    expect(notices.map((n) => [n.dataset.name, n.dataset.code])).toEqual([
      ["locked.pdf", "DocumentEncrypted"],
      ["gone.pdf", "DocumentFileUnreadable"],
    ]);
    expect(notices[0].getAttribute("role")).toBe("alert");
    expect(notices[0].textContent).toContain("locked.pdf was not attached.");
    expect(notices[0].textContent).toContain("This PDF is protected by a password.");
    expect(notices[0].textContent).toContain("printing it to a new PDF");
    setLocale("zh-TW");
    flushSync();
    expect(notices[0].textContent).toContain("未附加 locked.pdf。");
    expect(notices[0].textContent).toContain("這份 PDF 受密碼保護。");
    const dismiss = notices[0].querySelector<HTMLButtonElement>("button")!;
    expect(dismiss.getAttribute("aria-label")).toBe("關閉");
    dismiss.click();
    await settle();
    expect(allByTestId(root, "document-notice").map((n) => n.dataset.name)).toEqual(["gone.pdf"]);
    expect(document.activeElement).toBe(byTestId(root, "composer-input"));
  });

  it("writes sizes the reader's way in Traditional Chinese", async () => {
    setLocale("zh-TW");
    const { root } = await startApp({ pick_documents: () => [attached(doc(1))] });
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    expect(chips(root)[0].textContent).toContain("4 頁 · 2.4 MB");
    expect(byTestId(chips(root)[0], "document-chip-remove")!.getAttribute("aria-label")).toBe("移除 report-1.pdf");
  });

  it("explains the Visual analysis setting under the chips while PDFs are attached", async () => {
    const { root } = await startApp({ pick_documents: () => [attached(doc(1))] });
    expect(byTestId(root, "documents-note")).toBeNull();
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    expect(byTestId(root, "documents-note")?.textContent).toContain("Visual analysis is on");
    byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
    flushSync();
    const toggle = byTestId<HTMLInputElement>(root, "setting-document-citations")!;
    toggle.click();
    flushSync();
    expect(byTestId(root, "documents-note")?.textContent).toContain("Visual analysis is off");
  });

  it("sends the documents with the message and clears the chips; the message shows them", async () => {
    const { root, requests } = await startApp({ pick_documents: () => [attached(doc(1)), attached(doc(2))] });
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    await sendText(root, "What do they say?");
    expect(requests).toHaveLength(1);
    expect(requests[0].documents).toEqual([doc(1), doc(2)]);
    expect(requests[0].settings?.documentCitations).toBe(true);
    expect(chips(root)).toEqual([]);
    const user = allByTestId(root, "message").find((m) => m.dataset.role === "user")!;
    const shown = allByTestId(user, "message-document");
    expect(shown.map((c) => c.dataset.name)).toEqual(["report-1.pdf", "report-2.pdf"]);
    expect(shown[0].textContent).toContain("4 pages");
    expect(shown[0].textContent).not.toContain("MB");
    expect(byTestId(user, "message-text")?.textContent).toBe("What do they say?");
  });

  it("keeps the chips and the text when the send is refused before anything is stored", async () => {
    const { root, requests } = await startApp({ pick_documents: () => [attached(doc(1))] }, () =>
      Promise.reject({ kind: "invalidInput", code: "DocumentTooLargeForConverse", message: "4.5 MB", parameters: [] }),
    );
    byTestId<HTMLButtonElement>(root, "attach-button")!.click();
    await settle();
    await sendText(root, "Summarise");
    expect(requests).toHaveLength(1);
    expect(chips(root).map((c) => c.dataset.name)).toEqual(["report-1.pdf"]);
    expect(byTestId<HTMLTextAreaElement>(root, "composer-input")!.value).toBe("Summarise");
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("DocumentTooLargeForConverse");
    expect(notice.textContent).toContain("Claude Sonnet 4.5 takes PDFs of at most 4.5 MB each through Converse.");
    expect(notice.textContent).toContain("InvokeModel");
    expect(allByTestId(root, "message")).toEqual([]);
  });

  it("attaches the PDFs Cairn was opened with, once, at start", async () => {
    const { root, calls } = await startApp({ opened_documents: () => [attached(doc(4))] });
    expect(calls.filter((c) => c.cmd === "opened_documents")).toHaveLength(1);
    expect(chips(root).map((c) => c.dataset.name)).toEqual(["report-4.pdf"]);
  });

  it("highlights the chat while files are dragged over the window and attaches what is dropped", async () => {
    const { root, calls } = await startApp({ attach_documents: () => [attached(doc(5)), refused("notes.txt", "DocumentNotPdf")] });
    await settle();
    expect(byTestId(root, "drop-zone")).toBeNull();
    await emit("tauri://drag-enter", { paths: ["/home/me/report-5.pdf"], position: { x: 10, y: 10 } });
    await settle();
    expect(byTestId(root, "drop-zone")?.textContent).toContain("Drop PDFs here");
    await emit("tauri://drag-leave", null);
    await settle();
    expect(byTestId(root, "drop-zone")).toBeNull();
    await emit("tauri://drag-over", { position: { x: 12, y: 10 } });
    await settle();
    expect(byTestId(root, "drop-zone")).not.toBeNull();
    await emit("tauri://drag-drop", { paths: ["/home/me/report-5.pdf", "/home/me/notes.txt"], position: { x: 12, y: 10 } });
    await settle();
    expect(byTestId(root, "drop-zone")).toBeNull();
    expect(calls.find((c) => c.cmd === "attach_documents")?.args).toEqual({ paths: ["/home/me/report-5.pdf", "/home/me/notes.txt"] });
    expect(chips(root).map((c) => c.dataset.name)).toEqual(["report-5.pdf"]);
    expect(byTestId(root, "document-notice")?.dataset.name).toBe("notes.txt");
  });

  it("disables Attach while the dialog is open", async () => {
    const open = deferred<AttachResult[]>();
    const { root, calls } = await startApp({ pick_documents: () => open.promise });
    const attach = byTestId<HTMLButtonElement>(root, "attach-button")!;
    attach.click();
    await settle();
    expect(attach.disabled).toBe(true);
    attach.click();
    open.resolve([]);
    await settle();
    expect(attach.disabled).toBe(false);
    expect(calls.filter((c) => c.cmd === "pick_documents")).toHaveLength(1);
  });
});

describe("the Visual analysis switch", () => {
  it("is on by default, is sent, and its help follows the API and the state", async () => {
    const { root, requests } = await startApp();
    byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
    flushSync();
    const toggle = byTestId<HTMLInputElement>(root, "setting-document-citations")!;
    expect(toggle.checked).toBe(true);
    expect(toggle.getAttribute("role")).toBe("switch");
    expect(toggle.closest("label")?.textContent?.trim()).toBe("Visual analysis (charts, images, layout)");
    const help = () => document.getElementById(toggle.getAttribute("aria-describedby")!)?.textContent ?? "";
    expect(help()).toContain("about 7,000 instead of 1,000 for 3 pages");

    toggle.click();
    flushSync();
    expect(help()).toContain("Converse passes only the text");

    const api = byTestId<HTMLSelectElement>(root, "setting-api")!;
    api.value = "invokeModel";
    api.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(help()).toContain("pages are always read visually; this switch adds citations");

    await sendText(root, "Hello");
    expect(requests[0].settings).toMatchObject({ api: "invokeModel", documentCitations: false });

    setLocale("zh-TW");
    flushSync();
    expect(toggle.closest("label")?.textContent?.trim()).toBe("視覺分析（圖表、圖片、版面）");
  });

  it("loads a conversation's saved choice (absent means on)", async () => {
    const { root } = await startApp({
      get_conversation: () => ({ summary: SUMMARY, messages: [] }),
      conversation_settings: () => ({ ...defaultSettings(), documentCitations: false }),
    });
    byTestId<HTMLButtonElement>(root, "conversation-item")!.click();
    await settle();
    byTestId<HTMLButtonElement>(root, "chat-settings-toggle")!.click();
    flushSync();
    expect(byTestId<HTMLInputElement>(root, "setting-document-citations")!.checked).toBe(false);
  });
});

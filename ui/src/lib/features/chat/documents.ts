// Pure: how attached PDFs and the passages an answer cites are described.
import type { MessageKey, Params } from "../../i18n/index.svelte";
import type { ChatApi, Citation } from "../../ipc";

/** At most this many PDFs go with one message (Claude's limit per request). */
export const MAX_DOCUMENTS = 5;

/** A message key and its parameters, for `t()`. */
export type Words = { key: MessageKey; params?: Params };

/** "1 page" / "12 pages". */
export function pagesWords(pages: number): Words {
  return pages === 1 ? { key: "documents.onePage" } : { key: "documents.pages", params: { count: pages } };
}

/**
 * A file size as people read it (decimal units, as file managers show them): "812 B", "45 KB",
 * "2.4 MB". `format` writes the number in the reader's locale.
 */
export function sizeWords(bytes: number, format: (value: number, digits: number) => string): Words {
  if (bytes < 1000) return { key: "documents.sizeBytes", params: { size: format(bytes, 0) } };
  if (bytes < 999_950) {
    const kb = bytes / 1000;
    return { key: "documents.sizeKb", params: { size: format(kb, kb < 10 ? 1 : 0) } };
  }
  const mb = bytes / 1_000_000;
  return { key: "documents.sizeMb", params: { size: format(mb, mb < 100 ? 1 : 0) } };
}

/** "page 2" / "pages 3–4"; null when the citation points at no page. */
export function pageWords(citation: Pick<Citation, "pageStart" | "pageEnd">): Words | null {
  const start = citation.pageStart;
  if (start === null) return null;
  const end = citation.pageEnd;
  if (end === null || end <= start) return { key: "citations.page", params: { page: start } };
  return { key: "citations.pages", params: { start, end } };
}

/** The line the composer shows while PDFs are attached: how Claude will read them. */
export function visualAnalysisWords(api: ChatApi, documentCitations: boolean): Words {
  if (api === "invokeModel") return { key: documentCitations ? "documents.visualInvokeOn" : "documents.visualInvokeOff" };
  return { key: documentCitations ? "documents.visualConverseOn" : "documents.visualConverseOff" };
}

/** The settings panel's help under the "Visual analysis" switch, for the API and its state. */
export function visualAnalysisHelp(api: ChatApi, documentCitations: boolean): Words {
  if (api === "invokeModel") return { key: "settings.documentCitationsInvoke" };
  return { key: documentCitations ? "settings.documentCitationsConverseOn" : "settings.documentCitationsConverseOff" };
}

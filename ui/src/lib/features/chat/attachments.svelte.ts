import {
  attachDocuments,
  openedDocuments,
  pickDocuments,
  toCairnError,
  type AttachResult,
  type CairnError,
  type DocumentInfo,
} from "../../ipc";
import { MAX_DOCUMENTS } from "./documents";

type NoticeContent =
  | { kind: "refused"; name: string | null; error: CairnError }
  | { kind: "limit"; names: string[] };

/** Why something offered was not attached: the backend refused a file, or the limit was reached. */
export type DocumentNotice = NoticeContent & { id: number };

/** At most this many notices are kept; older ones go first. */
const MAX_NOTICES = 6;

/**
 * The PDFs attached to the next message (the composer's chips) and the notices about files that
 * were not attached. Each document is kept once (by id) and there are at most `MAX_DOCUMENTS`.
 * The bytes stay in the backend: only `DocumentInfo` is known here.
 */
export class DocumentAttachments {
  documents = $state<DocumentInfo[]>([]);
  notices = $state<DocumentNotice[]>([]);
  /** Attach requests still running (a dialog may be open). */
  #running = $state(0);
  readonly busy = $derived(this.#running > 0);
  readonly full = $derived(this.documents.length >= MAX_DOCUMENTS);
  #nextNotice = 1;

  /** Opens the system's file dialog; with five attached already, says so instead. */
  async pick(): Promise<void> {
    if (this.busy) return;
    if (this.full) {
      this.#notice({ kind: "limit", names: [] });
      return;
    }
    await this.#attach(pickDocuments);
  }

  /** Files dropped on the window. */
  async attachPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.#attach(() => attachDocuments(paths));
  }

  /** The files Cairn was opened with (once, at start). */
  async attachOpened(): Promise<void> {
    await this.#attach(openedDocuments);
  }

  async #attach(run: () => Promise<AttachResult[]>): Promise<void> {
    this.#running++;
    try {
      this.add(await run());
    } catch (e) {
      this.#notice({ kind: "refused", name: null, error: toCairnError(e) });
    } finally {
      this.#running--;
    }
  }

  /** The backend's answer: documents become chips (each once, at most five), refusals notices. */
  add(results: readonly AttachResult[]): void {
    const over: string[] = [];
    for (const result of results) {
      if (result.document) {
        const document = result.document;
        if (this.documents.some((d) => d.id === document.id)) continue;
        if (this.full) over.push(result.name);
        else this.documents.push(document);
      } else if (result.error) {
        this.#notice({ kind: "refused", name: result.name, error: result.error });
      }
    }
    if (over.length > 0) this.#notice({ kind: "limit", names: over });
  }

  remove(id: string): void {
    this.documents = this.documents.filter((d) => d.id !== id);
  }

  /** Removes these documents (they are being sent another way). */
  removeAll(documents: readonly DocumentInfo[]): void {
    const ids = new Set(documents.map((d) => d.id));
    this.documents = this.documents.filter((d) => !ids.has(d.id));
  }

  /** The documents for a message being sent; the chips go (and `restore` brings them back). */
  take(): DocumentInfo[] {
    const taken = $state.snapshot(this.documents) as DocumentInfo[];
    this.documents = [];
    if (taken.length > 0) this.notices = [];
    return taken;
  }

  /** Documents of a message that was not sent go back first, before any attached since. */
  restore(documents: readonly DocumentInfo[]): void {
    if (documents.length === 0) return;
    const later = this.documents;
    this.documents = [];
    this.add([...documents, ...later].map((document) => ({ name: document.name, document, error: null })));
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  #notice(notice: NoticeContent): void {
    const next: DocumentNotice = { ...notice, id: this.#nextNotice++ };
    this.notices = [...this.notices, next].slice(-MAX_NOTICES);
  }
}

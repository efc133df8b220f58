// Incremental Markdown for a streaming answer: the text is cut at the last block boundary (a
// blank line, or the end of a fenced code block, outside any fence). Everything before it is
// rendered once, in pieces, and kept; only the growing tail is rendered again on each update.

/** A finished piece of the answer, rendered once. `id` is stable for keyed lists. */
export type MarkdownBlock = { readonly id: number; readonly html: string };

export type StreamedMarkdown = {
  readonly blocks: readonly MarkdownBlock[];
  /** The HTML of the text after the last boundary ("" when there is none). */
  readonly tailHtml: string;
};

type Fence = { char: "`" | "~"; length: number };

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const BLANK = /^[ \t]*$/;

/** The fence a line opens, if any (a backtick fence's info string may not contain a backtick). */
function opensFence(line: string): Fence | null {
  const match = FENCE_OPEN.exec(line);
  if (!match) return null;
  const marker = match[1];
  const char = marker[0] as "`" | "~";
  if (char === "`" && line.slice(match[0].length).includes("`")) return null;
  return { char, length: marker.length };
}

/** Whether a line closes `fence`: the same character, at least as many, nothing else after. */
function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.replace(/^ {0,3}/, "").trimEnd();
  if (trimmed.length < fence.length) return false;
  for (const c of trimmed) if (c !== fence.char) return false;
  return true;
}

/**
 * Renders a text that only grows. Each `update` parses the new finished blocks (once) and the
 * tail; the work per update is bounded by the size of the blocks, not of the whole answer.
 * A text that does not extend the previous one starts over.
 */
export class StreamingMarkdown {
  readonly #render: (source: string) => string;
  #source = "";
  #blocks: MarkdownBlock[] = [];
  #nextId = 0;
  /** Characters of the source already rendered into blocks. */
  #rendered = 0;
  /** Where the next unscanned line starts, and the fence open there. */
  #scanned = 0;
  #fence: Fence | null = null;
  /** The last boundary found (an index just after a line). */
  #boundary = 0;

  constructor(render: (source: string) => string) {
    this.#render = render;
  }

  update(source: string): StreamedMarkdown {
    if (!source.startsWith(this.#source)) this.#reset();
    this.#source = source;
    this.#scan(source);
    if (this.#boundary > this.#rendered) {
      const piece = source.slice(this.#rendered, this.#boundary);
      this.#blocks.push({ id: this.#nextId++, html: this.#render(piece) });
      this.#rendered = this.#boundary;
    }
    const tail = source.slice(this.#rendered);
    return { blocks: this.#blocks.slice(), tailHtml: tail.trim() === "" ? "" : this.#render(tail) };
  }

  #reset(): void {
    this.#source = "";
    this.#blocks = [];
    this.#rendered = 0;
    this.#scanned = 0;
    this.#fence = null;
    this.#boundary = 0;
  }

  /** Reads the complete lines not read yet, noting fences and boundaries. */
  #scan(source: string): void {
    let start = this.#scanned;
    for (;;) {
      const newline = source.indexOf("\n", start);
      if (newline === -1) break;
      const line = source.slice(start, newline);
      const end = newline + 1;
      if (this.#fence) {
        if (closesFence(line, this.#fence)) {
          this.#fence = null;
          this.#boundary = end;
        }
      } else {
        const fence = opensFence(line);
        if (fence) this.#fence = fence;
        else if (BLANK.test(line)) this.#boundary = end;
      }
      start = end;
    }
    this.#scanned = start;
  }
}

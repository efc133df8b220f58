// Citation markers in a rendered answer. Each citation's place in the answer's text (a UTF-16
// offset) is marked in the Markdown source with private-use characters before rendering; after
// sanitizing, the marks found in text nodes are replaced by marker buttons built with DOM calls.
// Nothing from the answer ever becomes markup: the buttons carry only the citation's number.

const OPEN = "\uE000";
const CLOSE = "\uE001";
const MARK = /\uE000(\d+)\uE001/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The CSS class of a marker button (and its `data-citation`, the citation's number). */
export const MARKER_CLASS = "citation-marker";

type Placed = { number: number; textOffset: number };

/**
 * Where a marker can go for `offset`: before any whitespace it follows (so it stays with the
 * cited words and never starts a line). Null where it would break the Markdown around it: at the
 * very start, or on a code fence's line.
 */
function insertionPoint(text: string, offset: number): number | null {
  let at = Math.min(Math.max(0, Math.floor(offset)), text.length);
  while (at > 0 && /\s/.test(text[at - 1])) at--;
  // Never between the two halves of a surrogate pair.
  if (at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]) && /[\uD800-\uDBFF]/.test(text[at - 1])) at--;
  if (at === 0) return null;
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  if (FENCE.test(text.slice(lineStart, at))) return null;
  return at;
}

/**
 * The answer's Markdown with a mark at each citation's place. Private-use characters already in
 * the answer become U+FFFD (same length, so the offsets still hold) and can never pose as marks.
 * The marks only grow with the text, so a streaming answer's earlier blocks stay as rendered.
 */
export function markCitations(text: string, citations: readonly Placed[]): string {
  if (citations.length === 0) return text;
  const clean = text.replace(/[\uE000\uE001]/g, "\uFFFD");
  const points = citations
    .map((c, index) => ({ number: c.number, index, at: insertionPoint(clean, c.textOffset) }))
    .filter((p): p is { number: number; index: number; at: number } => p.at !== null && Number.isSafeInteger(p.number))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  if (points.length === 0) return clean;
  let out = "";
  let from = 0;
  for (const point of points) {
    out += clean.slice(from, point.at) + OPEN + String(point.number) + CLOSE;
    from = point.at;
  }
  return out + clean.slice(from);
}

function markerButton(doc: Document, number: string): HTMLElement {
  const sup = doc.createElement("sup");
  sup.className = "citation";
  const button = doc.createElement("button");
  button.type = "button";
  button.className = MARKER_CLASS;
  button.setAttribute("data-testid", "citation-marker");
  button.setAttribute("data-citation", number);
  // The visible "[n]" comes from CSS, so the answer's text content stays its own.
  button.setAttribute("data-label", `[${number}]`);
  sup.append(button);
  return sup;
}

/**
 * Replaces the marks in sanitized HTML with marker buttons (built with DOM calls; the only value
 * they carry is the number from the mark). HTML without marks is returned as it is.
 */
export function insertCitationMarkers(html: string): string {
  if (!html.includes(OPEN)) return html;
  const template = document.createElement("template");
  template.innerHTML = html;
  const doc = template.content.ownerDocument;
  const walker = doc.createTreeWalker(template.content, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if ((node as Text).data.includes(OPEN)) nodes.push(node as Text);
  }
  for (const node of nodes) {
    const text = node.data;
    const parts: Node[] = [];
    let from = 0;
    for (const match of text.matchAll(MARK)) {
      const at = match.index ?? 0;
      if (at > from) parts.push(doc.createTextNode(text.slice(from, at)));
      parts.push(markerButton(doc, match[1]));
      from = at + match[0].length;
    }
    const rest = text.slice(from).replace(/[\uE000\uE001]/g, "");
    if (rest !== "") parts.push(doc.createTextNode(rest));
    node.replaceWith(...parts);
  }
  return template.innerHTML;
}

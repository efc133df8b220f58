/** One piece of a search snippet: plain text, or a part that matched the query. */
export type SnippetPart = { text: string; mark: boolean };

/**
 * Splits a search snippet into plain and matched parts. The backend marks matches with `[` and
 * `]`; a `]` outside a match and a `[` that is never closed stay as they are. The parts are meant
 * to be rendered as text nodes (never as HTML).
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const push = (text: string, mark: boolean) => {
    if (text === "") return;
    const last = parts.at(-1);
    if (last && last.mark === mark) last.text += text;
    else parts.push({ text, mark });
  };
  let rest = snippet;
  while (rest !== "") {
    const open = rest.indexOf("[");
    if (open === -1) {
      push(rest, false);
      break;
    }
    const close = rest.indexOf("]", open + 1);
    if (close === -1) {
      push(rest, false);
      break;
    }
    push(rest.slice(0, open), false);
    const inner = rest.slice(open + 1, close);
    if (inner === "") push("[]", false);
    else push(inner, true);
    rest = rest.slice(close + 1);
  }
  return parts;
}

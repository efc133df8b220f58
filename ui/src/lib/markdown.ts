import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML written in an answer is shown as text, never interpreted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    // Images would load remote content; show their description instead.
    image({ text }: Tokens.Image): string {
      return escapeHtml(text);
    },
  },
});

// Only these address schemes may stay on a link; anything else loses its href.
const SAFE_LINK = /^(?:https?:|mailto:)/i;

const purifier = DOMPurify();

purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A") {
    const href = node.getAttribute("href");
    if (href !== null && !SAFE_LINK.test(href.trim())) node.removeAttribute("href");
    node.setAttribute("rel", "noopener noreferrer");
    node.removeAttribute("target");
  }
});

const SANITIZE_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    "style",
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "option",
    "img",
    "video",
    "audio",
    "source",
    "picture",
    "link",
    "meta",
    "base",
    "svg",
    "math",
    "template",
  ],
  FORBID_ATTR: ["style", "srcset", "action", "formaction", "background", "target"],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
};

/** Markdown (as written by Claude) to HTML that is safe to insert with {@html}. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return purifier.sanitize(html, SANITIZE_CONFIG);
}

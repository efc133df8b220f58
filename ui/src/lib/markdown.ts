import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { Marked, type Tokens } from "marked";

// The languages analysts meet most in answers; others show as plain code.
for (const [name, language] of Object.entries({
  bash, css, java, javascript, json, python, rust, sql, typescript, xml, yaml,
})) {
  hljs.registerLanguage(name, language);
}
hljs.registerAliases(["sh", "shell", "zsh"], { languageName: "bash" });
hljs.registerAliases(["js", "jsx"], { languageName: "javascript" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["yml"], { languageName: "yaml" });

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
    // Code in a known language is highlighted (highlight.js escapes the code and only adds
    // <span class="hljs-…">; the sanitizer still sees everything).
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? "").trim().split(/\s+/)[0].toLowerCase();
      const known = language !== "" && hljs.getLanguage(language) !== undefined;
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      const label = language === "" ? "" : ` class="language-${escapeHtml(language)}"`;
      return `<pre><code${label}>${body}\n</code></pre>\n`;
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

// Finished answers are rendered once and kept (a long list mounts the same answers again as it
// scrolls); the least recently used go first once the cache holds too much text.
const CACHE_CHARS = 8_000_000;
const cache = new Map<string, string>();
let cachedChars = 0;

/** `renderMarkdown`, remembered for texts seen recently. */
export function renderMarkdownCached(source: string): string {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const html = renderMarkdown(source);
  const size = source.length + html.length;
  if (size > CACHE_CHARS) return html;
  cache.set(source, html);
  cachedChars += size;
  for (const [key, value] of cache) {
    if (cachedChars <= CACHE_CHARS) break;
    cache.delete(key);
    cachedChars -= key.length + value.length;
  }
  return html;
}

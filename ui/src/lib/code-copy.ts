import type { Attachment } from "svelte/attachments";

export type CodeCopyOptions = {
  /** The button's accessible name, e.g. "Copy this code". */
  label: string;
  /** The visible words before and after copying ("Copy", "Copied"). */
  text: string;
  copiedText: string;
  copy: (text: string) => Promise<boolean>;
  /** After each copy: whether it worked (for a spoken confirmation). */
  oncopied?: (ok: boolean) => void;
};

const CONFIRM_MS = 2000;

/**
 * Adds a Copy button to every <pre> in the element, now and whenever rendered Markdown changes.
 * The buttons are built with DOM calls (never HTML) after sanitizing, and copy exactly the text of
 * the block's <code>. Their visible words come from CSS (`data-label`), so the answer's text
 * content stays the answer's own.
 */
export function codeCopyButtons(options: CodeCopyOptions): Attachment<HTMLElement> {
  return (container) => {
    const timers = new Set<ReturnType<typeof setTimeout>>();

    function addTo(pre: HTMLPreElement): void {
      if (pre.querySelector(":scope > .code-copy")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.setAttribute("data-testid", "copy-code");
      button.setAttribute("aria-label", options.label);
      button.title = options.label;
      button.dataset.label = options.text;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        const code = pre.querySelector("code");
        const text = code ? (code.textContent ?? "") : textWithout(pre, button);
        void options.copy(text).then((ok) => {
          button.dataset.label = ok ? options.copiedText : options.text;
          options.oncopied?.(ok);
          const timer = setTimeout(() => {
            timers.delete(timer);
            button.dataset.label = options.text;
          }, CONFIRM_MS);
          timers.add(timer);
        });
      });
      pre.append(button);
    }

    function scan(root: Element): void {
      if (root instanceof HTMLPreElement) addTo(root);
      else for (const pre of root.querySelectorAll("pre")) addTo(pre);
    }

    scan(container);
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) if (node instanceof Element) scan(node);
      }
    });
    observer.observe(container, { childList: true, subtree: true });

    return () => {
      observer.disconnect();
      for (const timer of timers) clearTimeout(timer);
      for (const button of container.querySelectorAll(".code-copy")) button.remove();
    };
  };
}

function textWithout(pre: HTMLElement, button: HTMLElement): string {
  let text = "";
  for (const node of pre.childNodes) if (node !== button) text += node.textContent ?? "";
  return text;
}

// Helpers for tests that mount components (shared by the newer test files).
import { flushSync, mount, unmount } from "svelte";
import type { ModelOption, Usage } from "../src/lib/ipc";
import { tick } from "./ipc-mock";

let mounted: Array<Record<string, unknown>> = [];

export function render<Props extends Record<string, unknown>>(
  component: Parameters<typeof mount<Props, Record<string, unknown>>>[0],
  props: Props,
): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

export function unmountAll(): void {
  for (const component of mounted) unmount(component);
  mounted = [];
  document.body.innerHTML = "";
}

export function byTestId<T extends Element = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T & Element>(`[data-testid="${id}"]`);
}

export function allByTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T[] {
  return [...root.querySelectorAll<T>(`[data-testid="${id}"]`)];
}

export function type(field: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  field.value = text;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

export function press(element: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  element.dispatchEvent(event);
  flushSync();
  return event;
}

export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await tick();
    flushSync();
  }
}

export const USAGE: Usage = {
  inputTokens: 12,
  outputTokens: 34,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  firstTokenMs: 420,
  totalMs: 900,
  costUsd: 0.0123,
  priceDate: "2026-11-01",
};

export const MODELS: ModelOption[] = [
  { modelId: "a.sonnet", invocationId: "global.a.sonnet", name: "Claude Sonnet 4.5", lifecycle: "ACTIVE", endpoint: "global" },
];

export const DEMO_STATUS = {
  mode: "demo",
  connectionId: "demo",
  connectionName: null,
  region: "us-west-2",
  simulatorEndpoint: null,
  startupError: null,
} as const;

/** A stored message as get_conversation returns it. */
export function stored(
  id: string,
  role: "user" | "assistant",
  text: string,
  over: Partial<{ status: string; usage: Usage | null; thinking: string | null; stopReason: string | null }> = {},
) {
  return {
    id,
    role,
    text,
    thinking: null,
    status: "complete",
    modelId: role === "assistant" ? "global.a.sonnet" : null,
    usage: null,
    stopReason: null,
    createdAt: "2025-01-01T10:00:00Z",
    ...over,
  };
}

/** Stubs navigator.clipboard.writeText; returns what was written. */
export function stubClipboard(ok = true): string[] {
  const written: string[] = [];
  Object.defineProperty(navigator, "clipboard", {
    configurable: true,
    value: {
      writeText: (text: string) => {
        written.push(text);
        return ok ? Promise.resolve() : Promise.reject(new Error("denied"));
      },
    },
  });
  return written;
}

export function removeClipboard(): void {
  Reflect.deleteProperty(navigator, "clipboard");
}

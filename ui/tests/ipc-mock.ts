// Test helpers around @tauri-apps/api/mocks that deliver Channel messages the way Tauri does.
import type { Channel, InvokeArgs } from "@tauri-apps/api/core";
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { ChatEvent, SendRequest } from "../src/lib/ipc";

type Internals = { runCallback: (id: number, data: unknown) => void };

/** The far end of one send_message call. */
export class FakeStream {
  readonly request: SendRequest;
  readonly #channel: Channel<ChatEvent>;
  #index = 0;

  constructor(args: InvokeArgs | undefined) {
    const record = args as { request: SendRequest; onEvent: Channel<ChatEvent> };
    this.request = record.request;
    this.#channel = record.onEvent;
  }

  emit(event: ChatEvent): void {
    const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
    internals.runCallback(this.#channel.id, { index: this.#index++, message: event });
  }
}

export type Call = { cmd: string; args: InvokeArgs | undefined };

/** Answers every test gets unless it gives its own: Cairn was opened with no PDFs. */
const DEFAULT_HANDLERS: Record<string, (args: InvokeArgs | undefined) => unknown> = {
  opened_documents: () => [],
};

/**
 * Installs a mock backend; `handlers` answer by command name. Returns the call log. Events are
 * mocked too (a test can `emit` Tauri's drag-and-drop events), in a window labelled "main".
 */
export function mockBackend(handlers: Record<string, (args: InvokeArgs | undefined) => unknown>): Call[] {
  const calls: Call[] = [];
  mockWindows("main");
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      const handler = handlers[cmd] ?? DEFAULT_HANDLERS[cmd];
      if (!handler) return Promise.reject({ kind: "internal", message: `unmocked command ${cmd}` });
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

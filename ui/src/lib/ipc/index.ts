// The only module that talks to Tauri. Everything else imports from here.
import { Channel } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type {
  AppStatus,
  CairnError,
  ChatEvent,
  Conversation,
  ConversationSummary,
  ErrorKind,
  ModelOption,
  SendRequest,
} from "./bindings";

/** The shape tauri-specta gives a command that returns `Result<T, E>` in Rust. */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type {
  AppMode,
  AppStatus,
  CairnError,
  ChatEvent,
  ChatMessage,
  Conversation,
  ConversationSummary,
  EndpointKind,
  ErrorKind,
  MessageStatus,
  ModelOption,
  Role,
  SendRequest,
  AnswerUsage as Usage,
} from "./bindings";

// A record keyed by ErrorKind: a kind added in Rust makes this a type error until listed.
const KNOWN_KINDS: Record<ErrorKind, true> = {
  credentials: true,
  accessDenied: true,
  needsProfile: true,
  throttled: true,
  invalidInput: true,
  network: true,
  service: true,
  notFound: true,
  storage: true,
  simulator: true,
  internal: true,
};

/** Every ErrorKind the backend can report. */
export const ERROR_KINDS = Object.keys(KNOWN_KINDS) as ErrorKind[];

/** Thrown by every function here when the backend reports a failure. */
export class CairnFailure extends Error {
  readonly error: CairnError;
  constructor(error: CairnError) {
    super(`${error.kind}: ${error.message}`);
    this.name = "CairnFailure";
    this.error = error;
  }
}

function isCairnError(value: unknown): value is CairnError {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.message === "string" &&
    typeof record.kind === "string" &&
    Object.prototype.hasOwnProperty.call(KNOWN_KINDS, record.kind)
  );
}

/** Turns anything thrown or rejected into a CairnError; unknown shapes become "internal". */
export function toCairnError(value: unknown): CairnError {
  if (value instanceof CairnFailure) return value.error;
  if (isCairnError(value)) return { kind: value.kind, message: value.message };
  if (value instanceof Error) return { kind: "internal", message: value.message };
  if (typeof value === "string") return { kind: "internal", message: value };
  let message: string;
  try {
    message = JSON.stringify(value) ?? String(value);
  } catch {
    message = String(value);
  }
  return { kind: "internal", message };
}

function unwrap<T>(result: Result<T, CairnError>): T {
  if (result.status === "ok") return result.data;
  throw new CairnFailure(toCairnError(result.error));
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof CairnFailure ? e : new CairnFailure(toCairnError(e));
  }
}

export function appStatus(): Promise<AppStatus> {
  return call(() => commands.appStatus());
}

export function listModels(): Promise<ModelOption[]> {
  return call(async () => unwrap(await commands.listModels()));
}

export function listConversations(): Promise<ConversationSummary[]> {
  return call(async () => unwrap(await commands.listConversations()));
}

export function getConversation(id: string): Promise<Conversation> {
  return call(async () => unwrap(await commands.getConversation(id)));
}

/**
 * Starts a streamed answer. `onEvent` receives every ChatEvent in order.
 * Resolves once the stream has ended; throws CairnFailure if it could not start.
 */
export function sendMessage(request: SendRequest, onEvent: (event: ChatEvent) => void): Promise<void> {
  const channel = new Channel<ChatEvent>();
  channel.onmessage = onEvent;
  return call(async () => {
    unwrap(await commands.sendMessage(request, channel));
  });
}

/** Asks the backend to cancel a running stream; resolves to whether one was running. */
export function stopStream(streamId: string): Promise<boolean> {
  return call(() => commands.stopStream(streamId));
}

/** A fresh id for a stream (the UI owns stream ids). */
export function newStreamId(): string {
  return crypto.randomUUID();
}

// The only module that talks to Tauri. Everything else imports from here.
import { Channel, convertFileSrc } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type {
  AccessCheck,
  ActivityEntry,
  ActivityFilter,
  ActivitySettings,
  ActivitySummary,
  AppStatus,
  AttachResult,
  CairnError,
  ChatEvent,
  ChatParameter,
  ChatSettings,
  ConnectionInfo,
  ConnectionInput,
  ConnectionsView,
  Conversation,
  ConversationSummary,
  EndpointChoice,
  ErrorKind,
  ExportFormat,
  InputEstimate,
  InvocationLogging,
  ModelOption,
  ModelTable,
  ProfileInfo,
  RegionChoices,
  SearchHit,
  SendRequest,
  SsoPoll,
  SsoSignIn,
} from "./bindings";

/** The shape tauri-specta gives a command that returns `Result<T, E>` in Rust. */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type {
  AccessCheck,
  AccessStatus,
  ActivityBucket,
  ActivityEntry,
  ActivityFilter,
  ActivitySettings,
  ActivitySummary,
  ActivityTotals,
  AppMode,
  AttachResult,
  CatalogEntry,
  AppStatus,
  CairnError,
  ChatApi,
  ChatEvent,
  ChatMessage,
  ChatParameter,
  ChatSettings,
  Citation,
  CloudWatchDestination,
  ConnectionInfo,
  ConnectionInput,
  ConnectionKind,
  ConnectionsView,
  Conversation,
  ConversationSummary,
  DocumentInfo,
  EndpointChoice,
  EndpointKind,
  ErrorKind,
  ExportFormat,
  GeoProfile,
  InputEstimate,
  Invocation,
  InvocationLogging,
  MessageStatus,
  EndpointOverrides,
  ModelCatalog,
  ModelOption,
  ModelRow,
  ModelTable,
  ProfileInfo,
  ProfileKind,
  RegionChoices,
  RegionSource,
  Role,
  S3Destination,
  SearchHit,
  SecretStorage,
  SendAction,
  SendRequest,
  SsoAccountRoles,
  SsoInfo,
  SsoPoll,
  SsoSignIn,
  Verification,
  Usage,
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
  keychainUnavailable: true,
  keychainLocked: true,
  needsSigV4: true,
  internal: true,
};

/** Every ErrorKind the backend can report. */
export const ERROR_KINDS = Object.keys(KNOWN_KINDS) as ErrorKind[];

// A record keyed by ChatParameter: a parameter added in Rust makes this a type error until listed.
const KNOWN_PARAMETERS: Record<ChatParameter, true> = {
  temperature: true,
  topP: true,
  topK: true,
  maxTokens: true,
  stopSequences: true,
  thinking: true,
  context1m: true,
};

/** Every chat setting an error can name. */
export const CHAT_PARAMETERS = Object.keys(KNOWN_PARAMETERS) as ChatParameter[];

function isChatParameter(value: unknown): value is ChatParameter {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KNOWN_PARAMETERS, value);
}

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

/** The id of the built-in demo connection. */
export const DEMO_CONNECTION_ID = "demo";

function codeOf(value: unknown): string | null {
  const code = (value as { code?: unknown }).code;
  return typeof code === "string" && code !== "" ? code : null;
}

/** The known chat settings an error names, each once; anything else is left out. */
function parametersOf(value: unknown): ChatParameter[] {
  const parameters = (value as { parameters?: unknown }).parameters;
  if (!Array.isArray(parameters)) return [];
  return [...new Set(parameters.filter(isChatParameter))];
}

function internal(message: string): CairnError {
  return { kind: "internal", code: null, message, parameters: [] };
}

/** Turns anything thrown or rejected into a CairnError; unknown shapes become "internal". */
export function toCairnError(value: unknown): CairnError {
  if (value instanceof CairnFailure) return value.error;
  if (isCairnError(value)) {
    return { kind: value.kind, code: codeOf(value), message: value.message, parameters: parametersOf(value) };
  }
  if (value instanceof Error) return internal(value.message);
  if (typeof value === "string") return internal(value);
  let message: string;
  try {
    message = JSON.stringify(value) ?? String(value);
  } catch {
    message = String(value);
  }
  return internal(message);
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

/** The model-access table; `refresh` asks Bedrock again instead of using the cached copy. */
export function modelTable(refresh: boolean): Promise<ModelTable> {
  return call(async () => unwrap(await commands.modelTable(refresh)));
}

/** Global or regional endpoint for one model (by base model ID); resolves to the updated table. */
export function setEndpointChoice(modelId: string, choice: EndpointChoice): Promise<ModelTable> {
  return call(async () => unwrap(await commands.setEndpointChoice(modelId, choice)));
}

/** "Keep my data in this geography" (no global endpoints); resolves to the updated table. */
export function setKeepInGeography(keep: boolean): Promise<ModelTable> {
  return call(async () => unwrap(await commands.setKeepInGeography(keep)));
}

/** One free call that shows whether this account can use the model (by base model ID). */
export function checkModelAccess(modelId: string): Promise<AccessCheck> {
  return call(async () => unwrap(await commands.checkModelAccess(modelId)));
}

/** Checks every model that has a route; resolves to the updated table. */
export function checkAllAccess(): Promise<ModelTable> {
  return call(async () => unwrap(await commands.checkAllAccess()));
}

export function listConversations(): Promise<ConversationSummary[]> {
  return call(async () => unwrap(await commands.listConversations()));
}

export function getConversation(id: string): Promise<Conversation> {
  return call(async () => unwrap(await commands.getConversation(id)));
}

/** A conversation's API, system prompt and parameters (the defaults when none were saved). */
export function conversationSettings(id: string): Promise<ChatSettings> {
  return call(async () => unwrap(await commands.conversationSettings(id)));
}

/** Gives a conversation a new title (sent as given; the caller trims and refuses an empty one). */
export function renameConversation(id: string, title: string): Promise<void> {
  return call(async () => {
    unwrap(await commands.renameConversation(id, title));
  });
}

/** Pins or unpins a conversation; pinned ones come first in `listConversations`. */
export function setConversationPinned(id: string, pinned: boolean): Promise<void> {
  return call(async () => {
    unwrap(await commands.setConversationPinned(id, pinned));
  });
}

/** Hides a conversation; `restoreConversation` undoes it until Cairn restarts. */
export function deleteConversation(id: string): Promise<void> {
  return call(async () => {
    unwrap(await commands.deleteConversation(id));
  });
}

/** Undoes `deleteConversation` (possible until Cairn restarts). */
export function restoreConversation(id: string): Promise<void> {
  return call(async () => {
    unwrap(await commands.restoreConversation(id));
  });
}

/** Full-text search over every message; each snippet marks its matches with `[` and `]`. */
export function searchMessages(query: string): Promise<SearchHit[]> {
  return call(async () => unwrap(await commands.searchMessages(query)));
}

/** Writes the conversation into the Downloads folder; resolves to the file's path. */
export function exportConversation(id: string, format: ExportFormat): Promise<string> {
  return call(async () => unwrap(await commands.exportConversation(id, format)));
}

/** Calls matching `filter`, newest first: a page of `ACTIVITY_PAGE_SIZE` from `offset`. */
export function activityList(filter: ActivityFilter, offset: number): Promise<ActivityEntry[]> {
  return call(async () => unwrap(await commands.activityList(filter, offset)));
}

/** How many calls `activityList` returns at most per page. */
export const ACTIVITY_PAGE_SIZE = 200;

/** Totals, per-day (UTC) and per-model sums for `filter`, and the connections and models seen. */
export function activitySummary(filter: ActivityFilter): Promise<ActivitySummary> {
  return call(async () => unwrap(await commands.activitySummary(filter)));
}

/** Writes the filtered calls as CSV into the Downloads folder; resolves to the file's path. */
export function exportActivityCsv(filter: ActivityFilter): Promise<string> {
  return call(async () => unwrap(await commands.exportActivityCsv(filter)));
}

/** How long calls are kept and whether question excerpts are kept with them. */
export function activitySettings(): Promise<ActivitySettings> {
  return call(async () => unwrap(await commands.activitySettings()));
}

/**
 * Saves the activity settings and removes calls older than the retention at once; resolves to
 * how many were removed. Throws `RetentionOutOfRange` outside 7–365 days.
 */
export function setActivitySettings(settings: ActivitySettings): Promise<number> {
  return call(async () => unwrap(await commands.setActivitySettings(settings)));
}

/** Bedrock's model-invocation logging for the active connection's account and region. */
export function invocationLogging(): Promise<InvocationLogging> {
  return call(async () => unwrap(await commands.invocationLogging()));
}

/** Replaces the logging configuration (every destination null turns it off); resolves to the new one. */
export function setInvocationLogging(logging: InvocationLogging): Promise<InvocationLogging> {
  return call(async () => unwrap(await commands.setInvocationLogging(logging)));
}

/** Saved connections (never their secrets) and which one is active. */
export function listConnections(): Promise<ConnectionsView> {
  return call(async () => unwrap(await commands.listConnections()));
}

/** Profiles of the shared AWS config and credentials files. */
export function listProfiles(): Promise<ProfileInfo[]> {
  return call(async () => unwrap(await commands.listProfiles()));
}

/** The regions to offer and what a connection gets when none is chosen. */
export function regionChoices(): Promise<RegionChoices> {
  return call(async () => unwrap(await commands.regionChoices()));
}

/** Saves a new connection (or edits one when `input.id` is set). */
export function saveConnection(input: ConnectionInput): Promise<ConnectionInfo> {
  return call(async () => unwrap(await commands.saveConnection(input)));
}

/** Asks AWS who the connection's credentials belong to. */
export function verifyConnection(id: string): Promise<ConnectionInfo> {
  return call(async () => unwrap(await commands.verifyConnection(id)));
}

/** Deletes a connection and its keychain entry; resolves to the (possibly changed) status. */
export function deleteConnection(id: string): Promise<AppStatus> {
  return call(async () => unwrap(await commands.deleteConnection(id)));
}

/** Switches to another connection (or the demo); resolves to the new status. */
export function activateConnection(id: string): Promise<AppStatus> {
  return call(async () => unwrap(await commands.activateConnection(id)));
}

/**
 * Starts an IAM Identity Center sign-in (the backend opens the browser page itself). The result
 * carries the code and the link to show, and how often to poll.
 */
export function ssoStart(startUrl: string, ssoRegion: string, endpoint: string | null): Promise<SsoSignIn> {
  return call(async () => unwrap(await commands.ssoStart(startUrl, ssoRegion, endpoint)));
}

/** One poll of a started sign-in: approved yet, and then the accounts and roles it offers. */
export function ssoPoll(flowId: string): Promise<SsoPoll> {
  return call(async () => unwrap(await commands.ssoPoll(flowId)));
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

/**
 * Counts the input tokens `request` would send now (the conversation so far with its PDFs, plus
 * its documents and text; Bedrock's CountTokens, free) and prices them. Nothing is stored or sent
 * to the model; the same checks as a send run, so it throws CairnFailure where a send would.
 */
export function estimateMessage(request: SendRequest): Promise<InputEstimate> {
  return call(async () => unwrap(await commands.estimateMessage(request)));
}

/** Asks the backend to cancel a running stream; resolves to whether one was running. */
export function stopStream(streamId: string): Promise<boolean> {
  return call(() => commands.stopStream(streamId));
}

/** A fresh id for a stream (the UI owns stream ids). */
export function newStreamId(): string {
  return crypto.randomUUID();
}

/** Opens the system's file dialog for PDFs and attaches what was chosen ([] when cancelled). */
export function pickDocuments(): Promise<AttachResult[]> {
  return call(async () => unwrap(await commands.pickDocuments()));
}

/** Checks and keeps the files at `paths` (dropped on the window); one result per file. */
export function attachDocuments(paths: string[]): Promise<AttachResult[]> {
  return call(async () => unwrap(await commands.attachDocuments(paths)));
}

/** The PDFs Cairn was opened with ("Open with Cairn"); ask once, at start. */
export function openedDocuments(): Promise<AttachResult[]> {
  return call(async () => unwrap(await commands.openedDocuments()));
}

/** The address the backend serves a stored PDF's bytes at (`cairn-doc://localhost/<id>`). */
export function documentUrl(id: string): string {
  return convertFileSrc(id, "cairn-doc");
}

/** Files dragged over the window: entering or moving, dropped (with their paths), or gone. */
export type FileDragEvent = { type: "enter" } | { type: "over" } | { type: "drop"; paths: string[] } | { type: "leave" };

/**
 * Listens to files dragged onto the window (Tauri's webview drag-and-drop events). Resolves to
 * the function that stops listening; outside Tauri nothing is heard and that function does nothing.
 */
export async function onFileDrag(handler: (event: FileDragEvent) => void): Promise<() => void> {
  try {
    // Loaded on its own: the webview module brings the whole window API with it.
    const { getCurrentWebview } = await import("@tauri-apps/api/webview");
    const unlisten = await getCurrentWebview().onDragDropEvent(({ payload }) => {
      switch (payload.type) {
        case "enter":
        case "over":
        case "leave":
          handler({ type: payload.type });
          return;
        case "drop":
          handler({ type: "drop", paths: [...payload.paths] });
          return;
      }
    });
    return () => {
      try {
        void Promise.resolve(unlisten()).catch(() => {});
      } catch {
        // The webview is gone already.
      }
    };
  } catch {
    return () => {};
  }
}

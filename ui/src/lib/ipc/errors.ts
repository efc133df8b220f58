import type { MessageKey } from "../i18n/index.svelte";
import type { CairnError, ErrorKind } from "./index";

export type ErrorText = { title: MessageKey; next: MessageKey };

function unreachable(kind: never): never {
  throw new Error(`Unknown error kind: ${String(kind)}`);
}

/** The plain-words title and next step for each kind of failure. */
export function kindText(kind: ErrorKind): ErrorText {
  switch (kind) {
    case "credentials":
      return { title: "errors.credentials.title", next: "errors.credentials.next" };
    case "accessDenied":
      return { title: "errors.accessDenied.title", next: "errors.accessDenied.next" };
    case "needsProfile":
      return { title: "errors.needsProfile.title", next: "errors.needsProfile.next" };
    case "throttled":
      return { title: "errors.throttled.title", next: "errors.throttled.next" };
    case "invalidInput":
      return { title: "errors.invalidInput.title", next: "errors.invalidInput.next" };
    case "network":
      return { title: "errors.network.title", next: "errors.network.next" };
    case "service":
      return { title: "errors.service.title", next: "errors.service.next" };
    case "notFound":
      return { title: "errors.notFound.title", next: "errors.notFound.next" };
    case "storage":
      return { title: "errors.storage.title", next: "errors.storage.next" };
    case "simulator":
      return { title: "errors.simulator.title", next: "errors.simulator.next" };
    case "keychainUnavailable":
      return { title: "errors.keychainUnavailable.title", next: "errors.keychainUnavailable.next" };
    case "keychainLocked":
      return { title: "errors.keychainLocked.title", next: "errors.keychainLocked.next" };
    case "needsSigV4":
      return { title: "errors.needsSigV4.title", next: "errors.needsSigV4.next" };
    case "internal":
      return { title: "errors.internal.title", next: "errors.internal.next" };
    default:
      return unreachable(kind);
  }
}

/**
 * Codes (from AWS or from Cairn's own checks) that deserve more specific words than their kind.
 * Unknown codes fall back to the kind.
 */
const CODE_TEXT: Readonly<Record<string, ErrorText>> = {
  InvalidSignatureException: {
    title: "errors.codes.InvalidSignatureException.title",
    next: "errors.codes.InvalidSignatureException.next",
  },
  UnrecognizedClientException: {
    title: "errors.codes.UnrecognizedClientException.title",
    next: "errors.codes.UnrecognizedClientException.next",
  },
  ExpiredTokenException: {
    title: "errors.codes.ExpiredTokenException.title",
    next: "errors.codes.ExpiredTokenException.next",
  },
  AccessKeyIdInvalid: { title: "errors.codes.AccessKeyIdInvalid.title", next: "errors.codes.AccessKeyIdInvalid.next" },
  SecretKeyInvalid: { title: "errors.codes.SecretKeyInvalid.title", next: "errors.codes.SecretKeyInvalid.next" },
  SessionTokenNeedsTemporaryKey: {
    title: "errors.codes.SessionTokenNeedsTemporaryKey.title",
    next: "errors.codes.SessionTokenNeedsTemporaryKey.next",
  },
  TemporaryKeyNeedsSessionToken: {
    title: "errors.codes.TemporaryKeyNeedsSessionToken.title",
    next: "errors.codes.TemporaryKeyNeedsSessionToken.next",
  },
  ApiKeyInvalid: { title: "errors.codes.ApiKeyInvalid.title", next: "errors.codes.ApiKeyInvalid.next" },
  NameInvalid: { title: "errors.codes.NameInvalid.title", next: "errors.codes.NameInvalid.next" },
  RegionInvalid: { title: "errors.codes.RegionInvalid.title", next: "errors.codes.RegionInvalid.next" },
  EndpointInvalid: { title: "errors.codes.EndpointInvalid.title", next: "errors.codes.EndpointInvalid.next" },
  ProfileNotFound: { title: "errors.codes.ProfileNotFound.title", next: "errors.codes.ProfileNotFound.next" },
  ProfileFileInvalid: { title: "errors.codes.ProfileFileInvalid.title", next: "errors.codes.ProfileFileInvalid.next" },
  SecretMissing: { title: "errors.codes.SecretMissing.title", next: "errors.codes.SecretMissing.next" },
  SsoDenied: { title: "errors.codes.SsoDenied.title", next: "errors.codes.SsoDenied.next" },
  SsoExpired: { title: "errors.codes.SsoExpired.title", next: "errors.codes.SsoExpired.next" },
  SsoSignInRequired: { title: "errors.codes.SsoSignInRequired.title", next: "errors.codes.SsoSignInRequired.next" },
  SsoRoleInvalid: { title: "errors.codes.SsoRoleInvalid.title", next: "errors.codes.SsoRoleInvalid.next" },
  SsoStartUrlInvalid: { title: "errors.codes.SsoStartUrlInvalid.title", next: "errors.codes.SsoStartUrlInvalid.next" },
  SsoSessionExpired: { title: "errors.codes.SsoSessionExpired.title", next: "errors.codes.SsoSessionExpired.next" },
  Context1mUnsupported: {
    title: "errors.codes.Context1mUnsupported.title",
    next: "errors.codes.Context1mUnsupported.next",
  },
  // Chat settings the backend refuses before sending; the words may name the model ({model}).
  MaxTokensAboveLimit: { title: "errors.codes.MaxTokensAboveLimit.title", next: "errors.codes.MaxTokensAboveLimit.next" },
  TemperatureWithTopP: { title: "errors.codes.TemperatureWithTopP.title", next: "errors.codes.TemperatureWithTopP.next" },
  ThinkingUnsupported: { title: "errors.codes.ThinkingUnsupported.title", next: "errors.codes.ThinkingUnsupported.next" },
  ThinkingBudgetTooSmall: {
    title: "errors.codes.ThinkingBudgetTooSmall.title",
    next: "errors.codes.ThinkingBudgetTooSmall.next",
  },
  ThinkingWithTemperature: {
    title: "errors.codes.ThinkingWithTemperature.title",
    next: "errors.codes.ThinkingWithTemperature.next",
  },
  ThinkingWithTopK: { title: "errors.codes.ThinkingWithTopK.title", next: "errors.codes.ThinkingWithTopK.next" },
  ThinkingBudgetAboveMaxTokens: {
    title: "errors.codes.ThinkingBudgetAboveMaxTokens.title",
    next: "errors.codes.ThinkingBudgetAboveMaxTokens.next",
  },
  // PDFs: refused when attached (the file itself), or when sent (the model, the API, the count).
  DocumentEmpty: { title: "errors.codes.DocumentEmpty.title", next: "errors.codes.DocumentEmpty.next" },
  DocumentNotPdf: { title: "errors.codes.DocumentNotPdf.title", next: "errors.codes.DocumentNotPdf.next" },
  DocumentEncrypted: { title: "errors.codes.DocumentEncrypted.title", next: "errors.codes.DocumentEncrypted.next" },
  DocumentUnreadable: { title: "errors.codes.DocumentUnreadable.title", next: "errors.codes.DocumentUnreadable.next" },
  DocumentsTooLarge: { title: "errors.codes.DocumentsTooLarge.title", next: "errors.codes.DocumentsTooLarge.next" },
  DocumentFileUnreadable: { title: "errors.codes.DocumentFileUnreadable.title", next: "errors.codes.DocumentFileUnreadable.next" },
  DocumentNeedsText: { title: "errors.codes.DocumentNeedsText.title", next: "errors.codes.DocumentNeedsText.next" },
  TooManyDocuments: { title: "errors.codes.TooManyDocuments.title", next: "errors.codes.TooManyDocuments.next" },
  DocumentUnsupportedModel: { title: "errors.codes.DocumentUnsupportedModel.title", next: "errors.codes.DocumentUnsupportedModel.next" },
  DocumentTooLargeForConverse: { title: "errors.codes.DocumentTooLargeForConverse.title", next: "errors.codes.DocumentTooLargeForConverse.next" },
  DocumentTooManyPages: { title: "errors.codes.DocumentTooManyPages.title", next: "errors.codes.DocumentTooManyPages.next" },
  DocumentMissing: { title: "errors.codes.DocumentMissing.title", next: "errors.codes.DocumentMissing.next" },
  // Activity: the retention setting, and a logging configuration Bedrock refused.
  RetentionOutOfRange: { title: "errors.codes.RetentionOutOfRange.title", next: "errors.codes.RetentionOutOfRange.next" },
  LoggingConfigInvalid: { title: "errors.codes.LoggingConfigInvalid.title", next: "errors.codes.LoggingConfigInvalid.next" },
  // The keychain codes say the same as their kinds.
  KeychainUnavailable: kindText("keychainUnavailable"),
  KeychainLocked: kindText("keychainLocked"),
};

/** Every code that has its own wording. */
export const KNOWN_CODES: readonly string[] = Object.keys(CODE_TEXT);

/** A refusal that names chat settings but has no words of its own (e.g. a ValidationException). */
export const PARAMETERS_TEXT: ErrorText = { title: "errors.parameters.title", next: "errors.parameters.next" };

/**
 * The words for an error: a code-specific entry when there is one, else the refused settings'
 * when it names any, else the kind's.
 */
export function errorText(error: Pick<CairnError, "kind" | "code"> & Partial<Pick<CairnError, "parameters">>): ErrorText {
  const code = error.code;
  if (code && Object.prototype.hasOwnProperty.call(CODE_TEXT, code)) return CODE_TEXT[code];
  if (error.parameters && error.parameters.length > 0) return PARAMETERS_TEXT;
  return kindText(error.kind);
}

import { describe, expect, it } from "vitest";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { ERROR_KINDS, toCairnError, CairnFailure, type ErrorKind } from "../src/lib/ipc";
import { errorText, kindText, KNOWN_CODES, PARAMETERS_TEXT } from "../src/lib/ipc/errors";

function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

function expectWords(title: string, next: string): void {
  expect(title).not.toBe(next);
  for (const dictionary of [en, zhTW]) {
    for (const key of [title, next]) {
      const value = lookup(dictionary, key);
      expect(typeof value, key).toBe("string");
      expect((value as string).length).toBeGreaterThan(0);
    }
  }
}

// The codes the backend sends that must have their own words (AWS's and Cairn's own).
const CODES: Array<[string, ErrorKind]> = [
  ["InvalidSignatureException", "credentials"],
  ["UnrecognizedClientException", "credentials"],
  ["ExpiredTokenException", "credentials"],
  ["AccessKeyIdInvalid", "invalidInput"],
  ["SecretKeyInvalid", "invalidInput"],
  ["SessionTokenNeedsTemporaryKey", "invalidInput"],
  ["TemporaryKeyNeedsSessionToken", "invalidInput"],
  ["ApiKeyInvalid", "invalidInput"],
  ["NameInvalid", "invalidInput"],
  ["RegionInvalid", "invalidInput"],
  ["EndpointInvalid", "invalidInput"],
  ["ProfileNotFound", "invalidInput"],
  ["ProfileFileInvalid", "invalidInput"],
  ["SecretMissing", "credentials"],
  ["KeychainUnavailable", "keychainUnavailable"],
  ["KeychainLocked", "keychainLocked"],
  ["SsoDenied", "credentials"],
  ["SsoExpired", "credentials"],
  ["SsoSignInRequired", "invalidInput"],
  ["SsoRoleInvalid", "invalidInput"],
  ["SsoStartUrlInvalid", "invalidInput"],
  ["SsoSessionExpired", "credentials"],
  ["Context1mUnsupported", "invalidInput"],
  ["MaxTokensAboveLimit", "invalidInput"],
  ["TemperatureWithTopP", "invalidInput"],
  ["ThinkingUnsupported", "invalidInput"],
  ["ThinkingBudgetTooSmall", "invalidInput"],
  ["ThinkingWithTemperature", "invalidInput"],
  ["ThinkingWithTopK", "invalidInput"],
  ["ThinkingBudgetAboveMaxTokens", "invalidInput"],
  ["DocumentEmpty", "invalidInput"],
  ["DocumentNotPdf", "invalidInput"],
  ["DocumentEncrypted", "invalidInput"],
  ["DocumentUnreadable", "invalidInput"],
  ["DocumentsTooLarge", "invalidInput"],
  ["DocumentFileUnreadable", "storage"],
  ["DocumentNeedsText", "invalidInput"],
  ["TooManyDocuments", "invalidInput"],
  ["DocumentUnsupportedModel", "invalidInput"],
  ["DocumentTooLargeForConverse", "invalidInput"],
  ["DocumentTooManyPages", "invalidInput"],
  ["DocumentMissing", "notFound"],
  ["RetentionOutOfRange", "invalidInput"],
  ["LoggingConfigInvalid", "invalidInput"],
];

describe("errorText by kind", () => {
  it("covers all fourteen error kinds", () => {
    expect(ERROR_KINDS).toHaveLength(14);
    expect(ERROR_KINDS).toEqual(expect.arrayContaining(["keychainUnavailable", "keychainLocked", "needsSigV4"]));
  });

  it.each(ERROR_KINDS)("maps %s to a title and next step in both languages", (kind) => {
    const { title, next } = kindText(kind);
    expectWords(title, next);
    expect(errorText({ kind, code: null })).toEqual(kindText(kind));
  });

  it("gives each kind its own wording", () => {
    const titles = new Set(ERROR_KINDS.map((kind) => kindText(kind).title));
    expect(titles.size).toBe(ERROR_KINDS.length);
  });

  it("explains the keychain in plain words in both languages", () => {
    expect(lookup(en, kindText("keychainUnavailable").next)).toContain("GNOME Keyring or KWallet (Secret Service)");
    expect(lookup(zhTW, kindText("keychainUnavailable").next)).toContain("GNOME Keyring");
    expect(lookup(en, kindText("keychainLocked").next)).toContain("Unlock your keyring");
    expect(lookup(zhTW, kindText("keychainLocked").next)).toContain("解鎖");
  });
});

describe("errorText by code", () => {
  it("knows exactly the listed codes", () => {
    expect([...KNOWN_CODES].sort()).toEqual(CODES.map(([code]) => code).sort());
  });

  it.each(CODES)("gives %s its own words in both languages", (code, kind) => {
    const text = errorText({ kind, code });
    expectWords(text.title, text.next);
    if (!code.startsWith("Keychain")) expect(text).not.toEqual(kindText(kind));
  });

  it("uses the refused settings' words for an unknown code that names settings", () => {
    expect(errorText({ kind: "invalidInput", code: "ValidationException", parameters: ["topP"] })).toEqual(PARAMETERS_TEXT);
    expect(errorText({ kind: "invalidInput", code: "ValidationException", parameters: [] })).toEqual(kindText("invalidInput"));
    expect(errorText({ kind: "invalidInput", code: "TemperatureWithTopP", parameters: ["topP"] }).title).toBe(
      "errors.codes.TemperatureWithTopP.title",
    );
    expectWords(PARAMETERS_TEXT.title, PARAMETERS_TEXT.next);
  });

  it("prefers the code and falls back to the kind for an unknown code", () => {
    expect(errorText({ kind: "credentials", code: "InvalidSignatureException" }).title).toBe(
      "errors.codes.InvalidSignatureException.title",
    );
    expect(errorText({ kind: "credentials", code: "SomethingNew" })).toEqual(kindText("credentials"));
    expect(errorText({ kind: "credentials", code: "toString" })).toEqual(kindText("credentials"));
  });

  it("says what each AWS sign-in code means", () => {
    const words = (code: string) => lookup(en, `errors.codes.${code}.title`) as string;
    expect(words("InvalidSignatureException")).toMatch(/secret access key/);
    expect(words("UnrecognizedClientException")).toMatch(/does not know this access key ID/);
    expect(words("ExpiredTokenException")).toMatch(/session token has expired/);
    expect(lookup(zhTW, "errors.codes.ExpiredTokenException.title")).toContain("工作階段權杖");
    expect(lookup(zhTW, "errors.codes.InvalidSignatureException.title")).toContain("私密存取金鑰");
  });
});

describe("toCairnError", () => {
  it("keeps a backend error as it is", () => {
    expect(toCairnError({ kind: "throttled", code: "ThrottlingException", message: "slow down" })).toEqual({
      kind: "throttled",
      code: "ThrottlingException",
      message: "slow down",
      parameters: [],
    });
    expect(toCairnError({ kind: "throttled", message: "no code" })).toEqual({ kind: "throttled", code: null, message: "no code", parameters: [] });
  });

  it("keeps the chat settings a refusal names, known ones only, each once", () => {
    expect(
      toCairnError({ kind: "invalidInput", code: "ThinkingWithTemperature", message: "x", parameters: ["thinking", "temperature", "thinking", "madeUp", 3] }),
    ).toEqual({ kind: "invalidInput", code: "ThinkingWithTemperature", message: "x", parameters: ["thinking", "temperature"] });
    expect(toCairnError({ kind: "invalidInput", message: "x", parameters: "topP" }).parameters).toEqual([]);
  });

  it("unwraps a CairnFailure", () => {
    expect(toCairnError(new CairnFailure({ kind: "network", code: null, message: "offline", parameters: [] }))).toEqual({
      kind: "network",
      code: null,
      message: "offline",
      parameters: [],
    });
  });

  it("turns anything else into an internal error", () => {
    expect(toCairnError(new Error("boom"))).toEqual({ kind: "internal", code: null, message: "boom", parameters: [] });
    expect(toCairnError("text")).toEqual({ kind: "internal", code: null, message: "text", parameters: [] });
    expect(toCairnError({ kind: "madeUp", message: "x" }).kind).toBe("internal");
  });
});

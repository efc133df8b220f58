import type { InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import ConnectionForm from "../src/lib/components/ConnectionForm.svelte";
import { Connections } from "../src/lib/features/connections/connections.svelte";
import { clearSecrets, newDraft, toInput } from "../src/lib/features/connections/draft";
import { SsoSignInFlow } from "../src/lib/features/connections/sso.svelte";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { setLocale } from "../src/lib/i18n/index.svelte";
import { regionLabel, regionName } from "../src/lib/i18n/regions";
import type {
  AppStatus,
  CairnError,
  ConnectionInfo,
  ConnectionInput,
  ModelOption,
  ProfileInfo,
  RegionChoices,
} from "../src/lib/ipc";
import { deferred, mockBackend, tick, type Call } from "./ipc-mock";

// Shaped like AWS's documented example keys; nothing here is a real credential.
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

const UUID_A = "0b6b5c1e-7a53-4c1f-9d52-3f0c1a000001";
const UUID_B = "0b6b5c1e-7a53-4c1f-9d52-3f0c1a000002";
const UUID_NEW = "0b6b5c1e-7a53-4c1f-9d52-3f0c1a000003";

function info(over: Partial<ConnectionInfo>): ConnectionInfo {
  return {
    id: UUID_A,
    name: "Work keys",
    kind: "accessKeys",
    region: "eu-central-1",
    regionSource: "environment",
    profile: null,
    keyHint: "••••MPLE",
    hasSessionToken: false,
    secretStorage: "keychain",
    secretAvailable: true,
    endpoints: { bedrock: null, runtime: null, sts: null },
    verification: null,
    sso: null,
    ...over,
  };
}

const WORK = info({});
const TEMP = info({
  id: UUID_B,
  name: "Temporary",
  region: "ap-northeast-1",
  regionSource: "chosen",
  keyHint: "••••WXYZ",
  secretStorage: "session",
  secretAvailable: false,
  verification: {
    account: "123456789012",
    arn: "arn:aws:iam::123456789012:user/analyst",
    userId: "AIDAEXAMPLEUSERID",
    verifiedAt: "2025-03-02T09:00:00Z",
  },
});

const VERIFIED_WORK: ConnectionInfo = {
  ...WORK,
  verification: {
    account: "210987654321",
    arn: "arn:aws:iam::210987654321:user/work",
    userId: "AIDAWORKUSER",
    verifiedAt: "2025-03-03T10:30:00Z",
  },
};

const PROFILES: ProfileInfo[] = [
  { name: "default", region: "us-west-2", kind: "staticKeys" },
  { name: "corp-sso", region: null, kind: "sso" },
  { name: "admin", region: "eu-west-1", kind: "assumeRole" },
  { name: "vault", region: null, kind: "credentialProcess" },
];

const REGIONS: RegionChoices = {
  regions: [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-4",
  ],
  defaultRegion: "us-east-1",
  defaultSource: "environment",
};

const MODELS: ModelOption[] = [
  { modelId: "a.sonnet", invocationId: "global.a.sonnet", name: "Claude Sonnet", lifecycle: "ACTIVE", endpoint: "global" },
];
const EU_MODELS: ModelOption[] = [
  { modelId: "a.haiku", invocationId: "eu.a.haiku", name: "Claude Haiku", lifecycle: "ACTIVE", endpoint: "regional" },
];

const DEMO_STATUS: AppStatus = {
  mode: "demo",
  connectionId: "demo",
  connectionName: null,
  region: "us-east-1",
  simulatorEndpoint: "http://127.0.0.1:4010",
  startupError: null,
};
const WORK_STATUS: AppStatus = {
  mode: "aws",
  connectionId: UUID_A,
  connectionName: "Work keys",
  region: "eu-central-1",
  simulatorEndpoint: null,
  startupError: null,
};

const reject = (error: Partial<CairnError> & Pick<CairnError, "kind">) => () =>
  Promise.reject({ code: null, message: "detail", ...error });

let mounted: Array<Record<string, unknown>> = [];

function render<Props extends Record<string, unknown>>(
  component: Parameters<typeof mount<Props, Record<string, unknown>>>[0],
  props: Props,
): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

function byTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`);
}

function row(root: ParentNode, id: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(`[data-testid="connection-row"][data-id="${id}"]`);
  if (!found) throw new Error(`no row ${id}`);
  return found;
}

function fill(root: ParentNode, testId: string, value: string): void {
  const field = byTestId<HTMLInputElement | HTMLSelectElement>(root, testId);
  if (!field) throw new Error(`no field ${testId}`);
  field.value = value;
  field.dispatchEvent(new Event(field instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
  flushSync();
}

function click(root: ParentNode, testId: string): void {
  const button = byTestId<HTMLButtonElement>(root, testId);
  if (!button) throw new Error(`no button ${testId}`);
  button.click();
  flushSync();
}

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await tick();
    flushSync();
  }
}

function callsTo(calls: Call[], cmd: string): Call[] {
  return calls.filter((c) => c.cmd === cmd);
}

function savedInputs(calls: Call[]): ConnectionInput[] {
  return callsTo(calls, "save_connection").map((c) => (c.args as { input: ConnectionInput }).input);
}

type Handlers = Record<string, (args: InvokeArgs | undefined) => unknown>;

/** A backend with the demo active and two saved connections, overridable per command. */
function backend(extra: Handlers = {}): Call[] {
  return mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => MODELS,
    list_conversations: () => [],
    list_connections: () => ({ activeId: "demo", connections: [WORK, TEMP] }),
    list_profiles: () => PROFILES,
    region_choices: () => REGIONS,
    ...extra,
  });
}

/** Renders the app and opens the Connections panel. */
async function openPanel(): Promise<HTMLElement> {
  const root = render(App, {});
  await settle();
  click(root, "connection-button");
  await settle();
  const panel = byTestId(document.body, "connections-panel");
  if (!panel) throw new Error("panel did not open");
  return panel;
}

async function openAddForm(): Promise<HTMLElement> {
  const panel = await openPanel();
  click(panel, "add-connection");
  await settle();
  return byTestId(panel, "connection-form")!;
}

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  for (const component of mounted) unmount(component);
  mounted = [];
  document.body.innerHTML = "";
  clearMocks();
});

describe("Connections panel: listing", () => {
  it("opens from the header as a labelled modal dialog listing the demo and saved connections", async () => {
    backend();
    const panel = await openPanel();
    expect(panel.getAttribute("role")).toBe("dialog");
    expect(panel.getAttribute("aria-modal")).toBe("true");
    expect(document.getElementById(panel.getAttribute("aria-labelledby")!)?.textContent).toBe("Connections");

    const rows = [...panel.querySelectorAll<HTMLElement>('[data-testid="connection-row"]')];
    expect(rows.map((r) => [r.dataset.id, r.dataset.active])).toEqual([
      ["demo", "true"],
      [UUID_A, "false"],
      [UUID_B, "false"],
    ]);
    expect(rows[0].textContent).toContain("Demo");
    expect(byTestId(rows[0], "verify-connection")).toBeNull();
    expect(byTestId(rows[0], "delete-connection")).toBeNull();
  });

  it("describes each connection without any secret", async () => {
    backend();
    const panel = await openPanel();
    const work = row(panel, UUID_A);
    expect(work.textContent).toContain("Access keys");
    expect(work.textContent).toContain("Europe (Frankfurt) · eu-central-1 (from AWS_REGION)");
    expect(work.textContent).toContain("Key: ••••MPLE");
    expect(work.textContent).toContain("Not verified yet");
    expect(byTestId(work, "connection-account")).toBeNull();
    expect(work.textContent).not.toContain("Session only");

    const temp = row(panel, UUID_B);
    expect(temp.textContent).toContain("Asia Pacific (Tokyo) · ap-northeast-1 (chosen)");
    expect(temp.textContent).toContain("Session only");
    expect(temp.textContent).toContain("Enter the secret again");
    expect(byTestId(temp, "connection-account")?.textContent).toBe("123456789012");
    expect(temp.textContent).toContain("arn:aws:iam::123456789012:user/analyst");
    expect(temp.textContent).toContain("AIDAEXAMPLEUSERID");
    expect(temp.textContent).toMatch(/Verified .*2025/);
  });

  it("speaks Traditional Chinese, with translated region names", async () => {
    backend();
    setLocale("zh-TW");
    const panel = await openPanel();
    expect(row(panel, UUID_A).textContent).toContain("歐洲（法蘭克福） · eu-central-1（來自 AWS_REGION）");
    expect(row(panel, UUID_A).textContent).toContain("尚未驗證");
    expect(row(panel, UUID_B).textContent).toContain("僅限本次工作階段");
    expect(byTestId(panel, "use-connection")?.textContent?.trim()).toBe("使用中");
  });

  it("closes on Esc and keeps Tab inside the dialog", async () => {
    backend();
    const panel = await openPanel();
    const focusable = [...panel.querySelectorAll<HTMLElement>("button:not([disabled])")];
    const last = focusable[focusable.length - 1];
    last.focus();
    const tab = new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
    last.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(focusable[0]);

    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await settle();
    expect(byTestId(document.body, "connections-panel")).toBeNull();
    expect(document.activeElement).toBe(byTestId(document.body, "connection-button"));
  });

  it("closes with the close button", async () => {
    backend();
    const panel = await openPanel();
    click(panel, "close-connections");
    expect(byTestId(document.body, "connections-panel")).toBeNull();
  });
});

describe("Connections panel: actions", () => {
  it("Use switches the connection, reloads the models and hides the demo banner", async () => {
    const calls = backend({
      activate_connection: () => WORK_STATUS,
      list_models: () => (callsTo(calls, "activate_connection").length ? EU_MODELS : MODELS),
    });
    const panel = await openPanel();
    expect(byTestId(document.body, "demo-banner")).not.toBeNull();
    expect(callsTo(calls, "list_models")).toHaveLength(1);

    click(row(panel, UUID_A), "use-connection");
    await settle();

    expect(callsTo(calls, "activate_connection").map((c) => c.args)).toEqual([{ id: UUID_A }]);
    expect(callsTo(calls, "list_models")).toHaveLength(2);
    expect(row(panel, UUID_A).dataset.active).toBe("true");
    expect(row(panel, "demo").dataset.active).toBe("false");
    expect(byTestId(document.body, "demo-banner")).toBeNull();
    expect(byTestId(document.body, "connection-button")?.textContent).toContain("Work keys · Europe (Frankfurt)");
    const picker = byTestId<HTMLSelectElement>(document.body, "model-picker")!;
    expect([...picker.options].map((o) => o.value)).toEqual(["eu.a.haiku"]);
    expect(picker.value).toBe("eu.a.haiku");
  });

  it("shows why a switch failed, with the code's words", async () => {
    backend({
      activate_connection: reject({ kind: "credentials", code: "SecretMissing", message: "kept for one session only" }),
    });
    const panel = await openPanel();
    click(row(panel, UUID_B), "use-connection");
    await settle();
    const notice = byTestId(row(panel, UUID_B), "error-notice")!;
    expect(notice.dataset.code).toBe("SecretMissing");
    expect(notice.textContent).toContain("no longer available");
    expect(row(panel, "demo").dataset.active).toBe("true");
  });

  it("Verify shows a spinner and then the account", async () => {
    const pending = deferred<ConnectionInfo>();
    const calls = backend({ verify_connection: () => pending.promise });
    const panel = await openPanel();
    click(row(panel, UUID_A), "verify-connection");
    await settle();
    expect(row(panel, UUID_A).textContent).toContain("Verifying…");
    expect(byTestId<HTMLButtonElement>(row(panel, UUID_A), "verify-connection")?.disabled).toBe(true);

    pending.resolve(VERIFIED_WORK);
    await settle();
    expect(callsTo(calls, "verify_connection").map((c) => c.args)).toEqual([{ id: UUID_A }]);
    expect(byTestId(row(panel, UUID_A), "connection-account")?.textContent).toBe("210987654321");
    expect(row(panel, UUID_A).textContent).not.toContain("Verifying…");
  });

  it("explains a wrong secret access key found by Verify", async () => {
    backend({
      verify_connection: reject({ kind: "credentials", code: "InvalidSignatureException", message: "signature does not match" }),
    });
    const panel = await openPanel();
    click(row(panel, UUID_A), "verify-connection");
    await settle();
    const notice = byTestId(row(panel, UUID_A), "error-notice")!;
    expect(notice.dataset.kind).toBe("credentials");
    expect(notice.dataset.code).toBe("InvalidSignatureException");
    expect(notice.textContent).toContain("AWS did not accept the secret access key.");
  });

  it("Delete asks first, says the keychain entry goes too, then deletes and reloads status", async () => {
    let deleted = false;
    const calls = backend({
      app_status: () => WORK_STATUS,
      list_connections: () => ({
        activeId: deleted ? "demo" : UUID_A,
        connections: deleted ? [TEMP] : [WORK, TEMP],
      }),
      delete_connection: () => {
        deleted = true;
        return DEMO_STATUS;
      },
    });
    const panel = await openPanel();
    expect(byTestId(document.body, "demo-banner")).toBeNull();

    click(row(panel, UUID_A), "delete-connection");
    expect(callsTo(calls, "delete_connection")).toHaveLength(0);
    const confirm = row(panel, UUID_A).querySelector('[role="alertdialog"]')!;
    expect(confirm.textContent).toContain("Delete “Work keys”?");
    expect(confirm.textContent).toContain("keychain");
    expect(confirm.textContent).toContain("switches to the demo");

    click(row(panel, UUID_A), "confirm-delete");
    await settle();
    expect(callsTo(calls, "delete_connection").map((c) => c.args)).toEqual([{ id: UUID_A }]);
    expect(panel.querySelector(`[data-id="${UUID_A}"]`)).toBeNull();
    expect(row(panel, "demo").dataset.active).toBe("true");
    expect(byTestId(document.body, "demo-banner")).not.toBeNull();
    expect(byTestId(document.body, "connection-button")?.textContent).toContain("Demo");
    expect(callsTo(calls, "list_models")).toHaveLength(2);
  });

  it("cancelling the confirmation deletes nothing", async () => {
    const calls = backend({ delete_connection: () => DEMO_STATUS });
    const panel = await openPanel();
    click(row(panel, UUID_A), "delete-connection");
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    flushSync();
    expect(byTestId(row(panel, UUID_A), "confirm-delete")).toBeNull();
    expect(byTestId(document.body, "connections-panel")).not.toBeNull();
    expect(callsTo(calls, "delete_connection")).toHaveLength(0);
  });
});

describe("Connection form", () => {
  it("sends exactly what was typed, then verifies and shows the account", async () => {
    const created = info({ id: UUID_NEW, name: "  Analytics  ", region: "eu-west-1", regionSource: "chosen" });
    const calls = backend({
      save_connection: () => created,
      verify_connection: () => ({ ...created, verification: { ...VERIFIED_WORK.verification!, account: "555566667777" } }),
    });
    const form = await openAddForm();
    fill(form, "field-name", "  Analytics  ");
    fill(form, "field-kind", "accessKeys");
    fill(form, "field-access-key-id", ` ${KEY_ID}`);
    fill(form, "field-secret-access-key", `${SECRET}  `);
    fill(form, "field-session-token", "");
    fill(form, "field-region", "eu-west-1");
    click(form, "toggle-endpoints");
    fill(form, "field-endpoint-runtime", "http://127.0.0.1:4599");
    click(form, "save-connection");
    await settle();

    expect(savedInputs(calls)).toEqual([
      {
        id: null,
        name: "  Analytics  ",
        kind: "accessKeys",
        region: "eu-west-1",
        profile: null,
        accessKeyId: ` ${KEY_ID}`,
        secretAccessKey: `${SECRET}  `,
        sessionToken: null,
        apiKey: null,
        endpoints: { bedrock: null, runtime: "http://127.0.0.1:4599", sts: null },
        sessionOnly: false,
      },
    ]);
    const panel = byTestId(document.body, "connections-panel")!;
    expect(byTestId(panel, "connection-form")).toBeNull();
    expect(callsTo(calls, "verify_connection").map((c) => c.args)).toEqual([{ id: UUID_NEW }]);
    expect(byTestId(row(panel, UUID_NEW), "connection-account")?.textContent).toBe("555566667777");
  });

  it("leaves no secret in the page after saving", async () => {
    backend({ save_connection: () => info({ id: UUID_NEW, hasSessionToken: true, keyHint: "••••MPLE" }) });
    const form = await openAddForm();
    fill(form, "field-name", "Temporary keys");
    fill(form, "field-access-key-id", KEY_ID.replace("AKIA", "ASIA"));
    fill(form, "field-secret-access-key", SECRET);
    fill(form, "field-session-token", TOKEN);
    click(form, "save-connection");
    await settle();

    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain(TOKEN);
    const values = [...document.querySelectorAll<HTMLInputElement>("input")].map((i) => i.value);
    expect(values.join("\n")).not.toContain(SECRET);
    const stored = Array.from({ length: localStorage.length }, (_, i) => localStorage.getItem(localStorage.key(i)!) ?? "");
    expect(stored.join("\n")).not.toContain(SECRET);

    // A new form starts empty.
    const panel = byTestId(document.body, "connections-panel")!;
    click(panel, "add-connection");
    await settle();
    expect(byTestId<HTMLInputElement>(panel, "field-secret-access-key")?.value).toBe("");
  });

  it("clears its secret fields once the save succeeded", async () => {
    const saved = info({ id: UUID_NEW, hasSessionToken: true });
    const onsave = vi.fn(async () => ({ ok: true as const, connection: saved }));
    const onsaved = vi.fn();
    const root = render(ConnectionForm, {
      profiles: PROFILES,
      regions: REGIONS,
      sso: new SsoSignInFlow(),
      onsave,
      onsaved,
      oncancel: vi.fn(),
    });
    fill(root, "field-name", "Work keys");
    fill(root, "field-access-key-id", KEY_ID);
    fill(root, "field-secret-access-key", SECRET);
    click(root, "save-connection");
    await settle();

    expect(onsaved).toHaveBeenCalledWith(saved);
    const secret = byTestId<HTMLInputElement>(root, "field-secret-access-key")!;
    expect(secret.value).toBe("");
    expect(secret.type).toBe("password");
    expect(byTestId<HTMLInputElement>(root, "field-access-key-id")?.value).toBe("");
    expect(secret.placeholder).toBe("Leave empty to keep the saved secret");
    expect(root.innerHTML).not.toContain(SECRET);

    // Saving again edits the saved connection and keeps its secret.
    click(root, "save-connection");
    await settle();
    const second = onsave.mock.calls[1] as unknown as [ConnectionInput];
    expect(second[0]).toMatchObject({ id: UUID_NEW, secretAccessKey: null, accessKeyId: null });
  });

  it("keeps the values when the save fails", async () => {
    backend({ save_connection: reject({ kind: "invalidInput", code: "SecretKeyInvalid", message: "this one has 39" }) });
    const form = await openAddForm();
    fill(form, "field-name", "Work");
    fill(form, "field-access-key-id", KEY_ID);
    fill(form, "field-secret-access-key", SECRET.slice(1));
    click(form, "save-connection");
    await settle();

    const notice = byTestId(form, "error-notice")!;
    expect(notice.dataset.kind).toBe("invalidInput");
    expect(notice.dataset.code).toBe("SecretKeyInvalid");
    expect(notice.textContent).toContain("That does not look like a secret access key.");
    expect(notice.textContent).toContain("exactly 40 characters");
    expect(byTestId<HTMLInputElement>(form, "field-secret-access-key")?.value).toBe(SECRET.slice(1));
    expect(byTestId(form, "session-only")).toBeNull();
  });

  it.each([
    ["AccessKeyIdInvalid", "That does not look like an access key ID.", "這看起來不是存取金鑰 ID。"],
    ["TemporaryKeyNeedsSessionToken", "Temporary keys need their session token.", "臨時金鑰需要搭配它的工作階段權杖。"],
    ["NameInvalid", "The connection needs a name.", "這個連線需要名稱。"],
    ["EndpointInvalid", "A custom endpoint address cannot be used.", "無法使用這個自訂端點網址。"],
  ])("words the %s validation error in both languages", async (code, english, chinese) => {
    backend({ save_connection: reject({ kind: "invalidInput", code }) });
    const form = await openAddForm();
    click(form, "save-connection");
    await settle();
    const notice = byTestId(form, "error-notice")!;
    expect(notice.dataset.code).toBe(code);
    expect(notice.textContent).toContain(english);
    setLocale("zh-TW");
    flushSync();
    expect(notice.textContent).toContain(chinese);
  });

  it.each([
    ["keychainUnavailable", "KeychainUnavailable", "GNOME Keyring or KWallet (Secret Service)"],
    ["keychainLocked", "KeychainLocked", "Unlock your keyring"],
  ] as const)("offers to keep the secret for this session when the keychain is %s", async (kind, code, words) => {
    const calls = backend({
      save_connection: (args) =>
        (args as { input: ConnectionInput }).input.sessionOnly
          ? info({ id: UUID_NEW, secretStorage: "session" })
          : Promise.reject({ kind, code, message: "org.freedesktop.secrets was not provided" }),
    });
    const form = await openAddForm();
    fill(form, "field-name", "Laptop");
    fill(form, "field-access-key-id", KEY_ID);
    fill(form, "field-secret-access-key", SECRET);
    click(form, "save-connection");
    await settle();

    const notice = byTestId(form, "error-notice")!;
    expect(notice.dataset.kind).toBe(kind);
    expect(notice.textContent).toContain(words);
    const sessionOnly = byTestId<HTMLButtonElement>(form, "session-only")!;
    expect(sessionOnly.textContent?.trim()).toBe("Keep for this session only");

    sessionOnly.click();
    await settle();
    const [first, second] = savedInputs(calls);
    expect(first.sessionOnly).toBe(false);
    expect(second).toEqual({ ...first, sessionOnly: true });
    expect(second.secretAccessKey).toBe(SECRET);
    const panel = byTestId(document.body, "connections-panel")!;
    expect(row(panel, UUID_NEW).textContent).toContain("Session only");
  });

  it("says the keychain words in Traditional Chinese too", async () => {
    backend({ save_connection: reject({ kind: "keychainLocked", code: "KeychainLocked" }) });
    setLocale("zh-TW");
    const form = await openAddForm();
    click(form, "save-connection");
    await settle();
    expect(byTestId(form, "error-notice")?.textContent).toContain("解鎖你的鑰匙圈");
    expect(byTestId(form, "session-only")?.textContent?.trim()).toBe("僅在本次工作階段保存");
  });

  it("offers the profiles with their kinds and sends the chosen one", async () => {
    const calls = backend({ save_connection: () => info({ id: UUID_NEW, kind: "profile", profile: "corp-sso", keyHint: null }) });
    const form = await openAddForm();
    fill(form, "field-kind", "profile");
    expect(byTestId(form, "field-secret-access-key")).toBeNull();
    const select = byTestId<HTMLSelectElement>(form, "field-profile")!;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Choose a profile",
      "default · static keys · us-west-2",
      "corp-sso · SSO (IAM Identity Center)",
      "admin · assume role · eu-west-1",
      "vault · credential process",
    ]);
    fill(form, "field-name", "Corp");
    fill(form, "field-profile", "corp-sso");
    click(form, "save-connection");
    await settle();
    expect(savedInputs(calls)[0]).toMatchObject({ kind: "profile", profile: "corp-sso", accessKeyId: null, region: null });
  });

  it("shows why the AWS files could not be read", async () => {
    backend({ list_profiles: reject({ kind: "invalidInput", code: "ProfileFileInvalid", message: "~/.aws/config line 3" }) });
    const form = await openAddForm();
    fill(form, "field-kind", "profile");
    const notice = byTestId(form, "error-notice")!;
    expect(notice.dataset.code).toBe("ProfileFileInvalid");
    expect(notice.textContent).toContain("could not read your AWS configuration files");
    expect(notice.textContent).toContain("~/.aws/config line 3");
  });

  it("notes what an API key cannot do", async () => {
    const calls = backend({ save_connection: () => info({ id: UUID_NEW, kind: "apiKey" }) });
    const form = await openAddForm();
    fill(form, "field-kind", "apiKey");
    const key = byTestId<HTMLInputElement>(form, "field-api-key")!;
    expect(key.type).toBe("password");
    expect(form.textContent).toContain("The model catalog and logging settings need SigV4 credentials");
    fill(form, "field-name", "Key");
    fill(form, "field-api-key", "ABSKexampleexampleexample");
    click(form, "save-connection");
    await settle();
    expect(savedInputs(calls)[0]).toMatchObject({ kind: "apiKey", apiKey: "ABSKexampleexampleexample", secretAccessKey: null });
  });

  it("shows and hides the secret access key", async () => {
    backend();
    const form = await openAddForm();
    const secret = byTestId<HTMLInputElement>(form, "field-secret-access-key")!;
    expect(secret.type).toBe("password");
    const toggle = secret.parentElement!.querySelector("button")!;
    toggle.click();
    flushSync();
    expect(secret.type).toBe("text");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
  });

  it("names the default region and where it comes from, and every region", async () => {
    backend();
    const form = await openAddForm();
    const select = byTestId<HTMLSelectElement>(form, "field-region")!;
    expect(select.value).toBe("");
    expect(select.options[0].value).toBe("");
    expect(select.options[0].textContent?.trim()).toBe("Default: US East (N. Virginia) · us-east-1 (from AWS_REGION)");
    expect([...select.options].slice(1).map((o) => o.value)).toEqual(REGIONS.regions);
    expect(select.options[1].textContent).toBe("US East (N. Virginia) · us-east-1");
  });

  it("explains the custom endpoints", async () => {
    backend();
    const form = await openAddForm();
    expect(byTestId(form, "field-endpoint-bedrock")).toBeNull();
    click(form, "toggle-endpoints");
    expect(byTestId(form, "toggle-endpoints")?.getAttribute("aria-expanded")).toBe("true");
    expect(byTestId(form, "field-endpoint-bedrock")).not.toBeNull();
    expect(byTestId(form, "field-endpoint-sts")).not.toBeNull();
    expect(form.textContent).toContain("https://");
    expect(form.textContent).toContain("only for this computer");
  });

  it("edits a connection: empty secrets keep the saved ones", async () => {
    const calls = backend({ save_connection: () => ({ ...WORK, name: "Work (renamed)" }) });
    const panel = await openPanel();
    click(row(panel, UUID_A), "edit-connection");
    await settle();
    const form = byTestId(panel, "connection-form")!;
    expect(byTestId<HTMLInputElement>(form, "field-name")?.value).toBe("Work keys");
    expect(byTestId<HTMLInputElement>(form, "field-secret-access-key")?.placeholder).toBe("Leave empty to keep the saved secret");
    expect(byTestId<HTMLInputElement>(form, "field-access-key-id")?.placeholder).toContain("••••MPLE");
    // Its region came from AWS_REGION, so the form keeps "default".
    expect(byTestId<HTMLSelectElement>(form, "field-region")?.value).toBe("");

    fill(form, "field-name", "Work (renamed)");
    click(form, "save-connection");
    await settle();
    expect(savedInputs(calls)[0]).toMatchObject({
      id: UUID_A,
      name: "Work (renamed)",
      accessKeyId: null,
      secretAccessKey: null,
      sessionToken: null,
      region: null,
      sessionOnly: false,
    });
    expect(row(panel, UUID_A).textContent).toContain("Work (renamed)");
  });

  it("editing the connection in use refreshes the status and the models", async () => {
    const calls = backend({
      app_status: () => WORK_STATUS,
      list_connections: () => ({ activeId: UUID_A, connections: [WORK, TEMP] }),
      save_connection: () => ({ ...WORK, region: "eu-west-1", regionSource: "chosen" }),
    });
    const panel = await openPanel();
    click(row(panel, UUID_A), "edit-connection");
    await settle();
    const form = byTestId(panel, "connection-form")!;
    fill(form, "field-region", "eu-west-1");
    click(form, "save-connection");
    await settle();
    expect(callsTo(calls, "app_status")).toHaveLength(2);
    expect(callsTo(calls, "list_models")).toHaveLength(2);
  });
});

describe("App and connections", () => {
  it("explains a model list that needs SigV4 credentials", async () => {
    backend({
      app_status: () => ({ ...WORK_STATUS, connectionName: "API key" }),
      list_models: reject({ kind: "needsSigV4", message: "the model catalog needs SigV4" }),
    });
    const root = render(App, {});
    await settle();
    const picker = byTestId<HTMLSelectElement>(root, "model-picker")!;
    expect(picker.options[0].textContent).toBe("Needs access keys or a profile");
    expect(root.querySelector(".model-picker")?.textContent).toContain("A Bedrock API key only works for chat.");
  });

  it("shows a start-up fallback to the demo with its next step", async () => {
    backend({
      app_status: () => ({
        ...DEMO_STATUS,
        startupError: { kind: "credentials", code: "SecretMissing", message: "the secret is gone" },
      }),
    });
    const root = render(App, {});
    await settle();
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("SecretMissing");
    expect(notice.textContent).toContain("Edit the connection and enter it again");
    expect(byTestId(root, "demo-banner")).not.toBeNull();
  });
});

describe("IAM Identity Center connections", () => {
  it("are listed with their account, role and sign-in state, and usable", async () => {
    const sso = info({
      id: UUID_NEW,
      name: "Corp SSO",
      kind: "sso",
      keyHint: null,
      secretStorage: "keychain",
      sso: {
        startUrl: "https://corp.awsapps.com/start",
        region: "us-east-1",
        accountId: "111122223333",
        roleName: "BedrockUser",
        expiresAt: "2025-03-02T17:00:00Z",
        expired: true,
      },
    });
    backend({ list_connections: () => ({ activeId: "demo", connections: [sso] }) });
    const panel = await openPanel();
    const ssoRow = row(panel, UUID_NEW);
    expect(ssoRow.textContent).toContain("IAM Identity Center (SSO)");
    expect(ssoRow.textContent).toContain("account 111122223333, role BedrockUser");
    expect(ssoRow.textContent).toContain("sign-in has expired");
    expect(byTestId(ssoRow, "use-connection")).not.toBeNull();
    expect(byTestId(ssoRow, "edit-connection")).toBeNull();
  });
});

describe("draft", () => {
  it("sends nothing for the other kinds' fields and forgets secrets on request", () => {
    const draft = newDraft();
    Object.assign(draft, { name: "x", kind: "apiKey", apiKey: "ABSK1", secretAccessKey: SECRET, region: "" });
    expect(toInput(draft)).toMatchObject({ apiKey: "ABSK1", secretAccessKey: null, region: null, sessionOnly: false });
    clearSecrets(draft);
    expect([draft.apiKey, draft.secretAccessKey, draft.accessKeyId, draft.sessionToken]).toEqual(["", "", "", ""]);
    expect(draft.name).toBe("x");
  });

  it("starts from a saved connection without any secret", () => {
    const draft = newDraft(TEMP);
    expect(draft).toMatchObject({ id: UUID_B, region: "ap-northeast-1", sessionOnly: true, secretAccessKey: "" });
  });
});

describe("Connections state", () => {
  it("keeps a save failure out of the list", async () => {
    backend({ save_connection: reject({ kind: "keychainUnavailable", code: "KeychainUnavailable" }) });
    const onStatus = vi.fn();
    const connections = new Connections(onStatus);
    await connections.load();
    const result = await connections.save(toInput({ ...newDraft(), name: "n" }));
    expect(result).toMatchObject({ ok: false, error: { kind: "keychainUnavailable", code: "KeychainUnavailable" } });
    expect(connections.connections.map((c) => c.id)).toEqual([UUID_A, UUID_B]);
    expect(onStatus).not.toHaveBeenCalled();
  });
});

describe("region names", () => {
  it.each(REGIONS.regions)("%s has a name in both languages", (code) => {
    const english = (en.regions as Record<string, string>)[code];
    const chinese = (zhTW.regions as Record<string, string>)[code];
    expect(english).toMatch(/\(.+\)$/);
    expect(chinese).toMatch(/（.+）$/);
    setLocale("en");
    expect(regionName(code)).toBe(english);
    setLocale("zh-TW");
    expect(regionLabel(code)).toBe(`${chinese} · ${code}`);
  });

  it("falls back to the bare code", () => {
    expect(regionName("mars-north-1")).toBe("mars-north-1");
    expect(regionLabel("mars-north-1")).toBe("mars-north-1");
    expect(regionName("constructor")).toBe("constructor");
  });
});

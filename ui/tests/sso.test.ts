import type { InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { reauthInput } from "../src/lib/features/connections/draft";
import { SsoSignInFlow, type SsoBackend } from "../src/lib/features/connections/sso.svelte";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type {
  AppStatus,
  CairnError,
  ConnectionInfo,
  ConnectionInput,
  RegionChoices,
  SsoPoll,
  SsoSignIn,
} from "../src/lib/ipc";
import { deferred, mockBackend, type Call } from "./ipc-mock";

const NOW = new Date("2025-03-02T09:00:00Z");
const IN_TEN_MINUTES = "2025-03-02T09:10:00Z";

const SSO_ID = "5d0c9a1e-1111-4c1f-9d52-3f0c1a0000aa";
const OTHER_SSO_ID = "5d0c9a1e-2222-4c1f-9d52-3f0c1a0000bb";
const KEYS_ID = "5d0c9a1e-3333-4c1f-9d52-3f0c1a0000cc";

const START_URL = "https://corp.awsapps.com/start";
const OIDC_ENDPOINT = "https://oidc.proxy.example.test";

const REGIONS: RegionChoices = {
  regions: ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1", "ap-northeast-1"],
  defaultRegion: "us-east-1",
  defaultSource: "default",
};

const DEMO_STATUS: AppStatus = {
  mode: "demo",
  connectionId: "demo",
  connectionName: null,
  region: "us-east-1",
  simulatorEndpoint: "http://127.0.0.1:4010",
  startupError: null,
};

function signIn(over: Partial<SsoSignIn> = {}): SsoSignIn {
  return {
    flowId: "flow-1",
    userCode: "WDJB-MJHT",
    verificationUri: "https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT",
    expiresAt: IN_TEN_MINUTES,
    intervalSeconds: 5,
    ...over,
  };
}

const PENDING: SsoPoll = { approved: false, accounts: [] };
const APPROVED: SsoPoll = {
  approved: true,
  accounts: [
    { accountId: "111122223333", accountName: "Analytics", roles: ["BedrockUser", "ReadOnly"] },
    { accountId: "444455556666", accountName: "Sandbox", roles: ["Admin"] },
  ],
};

function ssoConnection(over: Partial<ConnectionInfo> = {}, expired = true): ConnectionInfo {
  return {
    id: SSO_ID,
    name: "Corp SSO",
    kind: "sso",
    region: "eu-west-1",
    regionSource: "chosen",
    profile: null,
    keyHint: null,
    hasSessionToken: false,
    secretStorage: "keychain",
    secretAvailable: true,
    endpoints: { bedrock: null, runtime: null, sts: null, sso: OIDC_ENDPOINT },
    verification: null,
    sso: {
      startUrl: START_URL,
      region: "us-west-2",
      accountId: "111122223333",
      roleName: "BedrockUser",
      expiresAt: "2025-03-01T17:00:00Z",
      expired,
    },
    ...over,
  };
}

const KEYS: ConnectionInfo = {
  ...ssoConnection(),
  id: KEYS_ID,
  name: "Keys",
  kind: "accessKeys",
  keyHint: "••••MPLE",
  endpoints: { bedrock: null, runtime: null, sts: null },
  sso: null,
};

const reject = (error: Partial<CairnError> & Pick<CairnError, "kind">) => () =>
  Promise.reject({ code: null, message: "detail", ...error });

type Handlers = Record<string, (args: InvokeArgs | undefined) => unknown>;

function backend(extra: Handlers = {}): Call[] {
  return mockBackend({
    app_status: () => DEMO_STATUS,
    list_models: () => [],
    list_conversations: () => [],
    list_connections: () => ({ activeId: "demo", connections: [KEYS] }),
    list_profiles: () => [],
    region_choices: () => REGIONS,
    ...extra,
  });
}

/** A poll handler answering from a script; the last answer repeats. */
function pollScript(...answers: Array<SsoPoll | (() => unknown)>): () => unknown {
  let index = 0;
  return () => {
    const answer = answers[Math.min(index++, answers.length - 1)];
    return typeof answer === "function" ? answer() : answer;
  };
}

let mounted: Array<Record<string, unknown>> = [];

function renderApp(): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  mounted.push(mount(App, { target, props: {} }));
  flushSync();
  return target;
}

/** Lets promises and zero-delay timers run (the clock is fake). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await vi.advanceTimersByTimeAsync(0);
    flushSync();
  }
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
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

function callsTo(calls: Call[], cmd: string): Call[] {
  return calls.filter((c) => c.cmd === cmd);
}

function savedInputs(calls: Call[]): ConnectionInput[] {
  return callsTo(calls, "save_connection").map((c) => (c.args as { input: ConnectionInput }).input);
}

function options(select: HTMLSelectElement | null): string[] {
  if (!select) throw new Error("no select");
  return [...select.options].map((o) => o.value);
}

async function openPanel(): Promise<HTMLElement> {
  const root = renderApp();
  await settle();
  click(root, "connection-button");
  await settle();
  const panel = byTestId(document.body, "connections-panel");
  if (!panel) throw new Error("panel did not open");
  return panel;
}

/** The add form with IAM Identity Center chosen and the site filled in. */
async function openSsoForm(endpoint: string | null = null): Promise<HTMLElement> {
  const panel = await openPanel();
  click(panel, "add-connection");
  await settle();
  const form = byTestId(panel, "connection-form")!;
  fill(form, "field-name", "Corp");
  fill(form, "field-kind", "sso");
  fill(form, "field-sso-start-url", START_URL);
  fill(form, "field-sso-region", "us-west-2");
  if (endpoint !== null) {
    click(form, "toggle-endpoints");
    fill(form, "field-endpoint-sso", endpoint);
  }
  return form;
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  for (const component of mounted) unmount(component);
  mounted = [];
  document.body.innerHTML = "";
  clearMocks();
  vi.useRealTimers();
});

describe("SsoSignInFlow", () => {
  function fakeBackend(poll: SsoBackend["poll"], started: SsoSignIn = signIn()) {
    const start = vi.fn(async () => started);
    const pollFn = vi.fn(poll);
    return { backend: { start, poll: pollFn }, start, poll: pollFn };
  }

  const SITE = { startUrl: START_URL, ssoRegion: "us-west-2", endpoint: null };

  it("polls every interval and never starts a poll before the previous one has answered", async () => {
    const answers = [deferred<SsoPoll>(), deferred<SsoPoll>()];
    let n = 0;
    const fake = fakeBackend(() => answers[n++].promise);
    const flow = new SsoSignInFlow({ backend: fake.backend });
    await flow.start(SITE);
    expect(flow.phase).toBe("waiting");
    expect(fake.poll).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(4999);
    expect(fake.poll).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.poll).toHaveBeenCalledTimes(1);
    expect(fake.poll).toHaveBeenCalledWith("flow-1");

    // The backend is slow: a minute passes and still only one poll is out.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.poll).toHaveBeenCalledTimes(1);

    answers[0].resolve(PENDING);
    await vi.advanceTimersByTimeAsync(4999);
    expect(fake.poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.poll).toHaveBeenCalledTimes(2);

    answers[1].resolve(APPROVED);
    await vi.advanceTimersByTimeAsync(0);
    expect(flow.phase).toBe("approved");
    expect(flow.flowId).toBe("flow-1");
    expect(flow.accounts).toEqual(APPROVED.accounts);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.poll).toHaveBeenCalledTimes(2);
  });

  it("stops at the code's expiry with the expired code", async () => {
    const expiresAt = new Date(NOW.getTime() + 12_000).toISOString();
    const fake = fakeBackend(async () => PENDING, signIn({ expiresAt }));
    const flow = new SsoSignInFlow({ backend: fake.backend });
    await flow.start(SITE);
    await vi.advanceTimersByTimeAsync(11_999);
    expect(fake.poll).toHaveBeenCalledTimes(2);
    expect(flow.phase).toBe("waiting");
    await vi.advanceTimersByTimeAsync(1);
    expect(flow.phase).toBe("failed");
    expect(flow.error?.code).toBe("SsoExpired");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fake.poll).toHaveBeenCalledTimes(2);
  });

  it("ignores an answer that arrives after stop() and polls no more", async () => {
    const answer = deferred<SsoPoll>();
    const approved = vi.fn();
    const fake = fakeBackend(() => answer.promise);
    const flow = new SsoSignInFlow({ backend: fake.backend, onApproved: approved });
    await flow.start(SITE);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fake.poll).toHaveBeenCalledTimes(1);
    flow.stop();
    answer.resolve(APPROVED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(flow.phase).toBe("idle");
    expect(flow.accounts).toEqual([]);
    expect(approved).not.toHaveBeenCalled();
    expect(fake.poll).toHaveBeenCalledTimes(1);
  });

  it("stops polling on an error, and retry() starts the same site again", async () => {
    const fake = fakeBackend(() => Promise.reject({ kind: "credentials", code: "SsoDenied", message: "denied" }));
    const flow = new SsoSignInFlow({ backend: fake.backend });
    await flow.start({ ...SITE, endpoint: OIDC_ENDPOINT });
    await vi.advanceTimersByTimeAsync(5000);
    expect(flow.phase).toBe("failed");
    expect(flow.error).toEqual({ kind: "credentials", code: "SsoDenied", message: "denied", parameters: [] });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.poll).toHaveBeenCalledTimes(1);

    await flow.retry();
    expect(fake.start).toHaveBeenCalledTimes(2);
    expect(fake.start).toHaveBeenLastCalledWith(START_URL, "us-west-2", OIDC_ENDPOINT);
    expect(flow.phase).toBe("waiting");
    expect(flow.error).toBeNull();
  });
});

describe("IAM Identity Center sign-in in the form", () => {
  it("signs in, shows the code and link, polls until approved, then saves the chosen account and role", async () => {
    const saved = ssoConnection({ id: SSO_ID, name: "Corp", region: "us-east-1", regionSource: "default" }, false);
    const calls = backend({
      sso_start: () => signIn(),
      sso_poll: pollScript(PENDING, PENDING, APPROVED),
      save_connection: () => saved,
      verify_connection: () => saved,
    });
    const form = await openSsoForm(OIDC_ENDPOINT);

    expect(byTestId<HTMLInputElement>(form, "field-sso-start-url")?.placeholder).toBe("https://your-name.awsapps.com/start");
    expect(options(byTestId(form, "field-sso-region"))).toEqual(["", ...REGIONS.regions]);
    expect(byTestId(form, "field-sso-region")?.textContent).toContain("US West (Oregon) · us-west-2");
    // The Bedrock region picker stays.
    expect(byTestId(form, "field-region")).not.toBeNull();
    expect(byTestId<HTMLButtonElement>(form, "save-connection")?.disabled).toBe(true);

    click(form, "sso-sign-in");
    await settle();
    expect(callsTo(calls, "sso_start").map((c) => c.args)).toEqual([
      { startUrl: START_URL, ssoRegion: "us-west-2", endpoint: OIDC_ENDPOINT },
    ]);
    expect(byTestId(form, "sso-user-code")?.textContent).toBe("WDJB-MJHT");
    expect(byTestId(form, "sso-verification-uri")?.textContent).toBe(signIn().verificationUri);
    expect(form.querySelector("a")).toBeNull();
    expect(form.textContent).toContain(
      "Your browser has opened the sign-in page; confirm the code matches and choose Allow.",
    );
    expect(byTestId(form, "sso-sign-in")).toBeNull();

    await advance(5000);
    await advance(5000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(2);
    expect(byTestId(form, "sso-account")).toBeNull();
    await advance(5000);
    expect(callsTo(calls, "sso_poll").map((c) => c.args)).toEqual([
      { flowId: "flow-1" },
      { flowId: "flow-1" },
      { flowId: "flow-1" },
    ]);

    const account = byTestId<HTMLSelectElement>(form, "sso-account")!;
    expect(options(account)).toEqual(["", "111122223333", "444455556666"]);
    expect(account.options[1].textContent).toContain("Analytics");
    expect(account.options[1].textContent).toContain("111122223333");
    expect(byTestId<HTMLSelectElement>(form, "sso-role")?.disabled).toBe(true);
    expect(byTestId<HTMLButtonElement>(form, "save-connection")?.disabled).toBe(true);

    fill(form, "sso-account", "111122223333");
    expect(options(byTestId(form, "sso-role"))).toEqual(["", "BedrockUser", "ReadOnly"]);
    fill(form, "sso-account", "444455556666");
    // The only role of the account counts as chosen.
    expect(options(byTestId(form, "sso-role"))).toEqual(["Admin"]);
    fill(form, "sso-account", "111122223333");
    fill(form, "sso-role", "ReadOnly");
    expect(byTestId<HTMLButtonElement>(form, "save-connection")?.disabled).toBe(false);

    click(form, "save-connection");
    await settle();
    expect(savedInputs(calls)).toEqual([
      {
        id: null,
        name: "Corp",
        kind: "sso",
        region: null,
        profile: null,
        accessKeyId: null,
        secretAccessKey: null,
        sessionToken: null,
        apiKey: null,
        endpoints: { bedrock: null, runtime: null, sts: null, sso: OIDC_ENDPOINT },
        sessionOnly: false,
        ssoFlowId: "flow-1",
        ssoAccountId: "111122223333",
        ssoRoleName: "ReadOnly",
      },
    ]);
    // Saved: the form is gone and polling with it.
    expect(byTestId(document.body, "connection-form")).toBeNull();
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(3);
  });

  it("sends no IAM Identity Center endpoint when none is given, and copies the link", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const calls = backend({ sso_start: () => signIn(), sso_poll: () => PENDING });
    try {
      const form = await openSsoForm();
      click(form, "sso-sign-in");
      await settle();
      expect(callsTo(calls, "sso_start")[0].args).toEqual({ startUrl: START_URL, ssoRegion: "us-west-2", endpoint: null });
      click(form, "sso-copy-link");
      await settle();
      expect(writeText).toHaveBeenCalledWith(signIn().verificationUri);
      expect(form.textContent).toContain("Link copied.");
    } finally {
      Reflect.deleteProperty(navigator, "clipboard");
    }
  });

  it("cannot sign in before the start URL and the region are given", async () => {
    backend();
    const panel = await openPanel();
    click(panel, "add-connection");
    await settle();
    const form = byTestId(panel, "connection-form")!;
    fill(form, "field-kind", "sso");
    expect(byTestId<HTMLButtonElement>(form, "sso-sign-in")?.disabled).toBe(true);
    fill(form, "field-sso-start-url", START_URL);
    expect(byTestId<HTMLButtonElement>(form, "sso-sign-in")?.disabled).toBe(true);
    fill(form, "field-sso-region", "eu-central-1");
    expect(byTestId<HTMLButtonElement>(form, "sso-sign-in")?.disabled).toBe(false);
    // The custom endpoint for IAM Identity Center is only offered for this kind.
    click(form, "toggle-endpoints");
    expect(byTestId(form, "field-endpoint-sso")).not.toBeNull();
    fill(form, "field-kind", "accessKeys");
    expect(byTestId(form, "field-endpoint-sso")).toBeNull();
  });

  it("stops polling when the form is cancelled", async () => {
    const calls = backend({ sso_start: () => signIn(), sso_poll: () => PENDING });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    await advance(5000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
    const cancel = [...form.querySelectorAll("button")].find((b) => b.textContent?.trim() === "Cancel")!;
    cancel.click();
    await settle();
    expect(byTestId(document.body, "connection-form")).toBeNull();
    await advance(120_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
  });

  it("stops polling when the panel closes, even with a poll still out", async () => {
    const answer = deferred<SsoPoll>();
    const calls = backend({ sso_start: () => signIn(), sso_poll: () => answer.promise });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    await advance(30_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
    click(document.body, "close-connections");
    answer.resolve(PENDING);
    await advance(120_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
    expect(byTestId(document.body, "connections-panel")).toBeNull();
  });

  it("stops polling when the start URL changes", async () => {
    const calls = backend({ sso_start: () => signIn(), sso_poll: () => PENDING });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    fill(form, "field-sso-start-url", "https://other.awsapps.com/start");
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(0);
    expect(byTestId(form, "sso-user-code")).toBeNull();
    expect(byTestId(form, "sso-sign-in")).not.toBeNull();
  });

  it("says plainly that the sign-in was denied, and Try again starts a new one", async () => {
    let starts = 0;
    const calls = backend({
      sso_start: () => signIn({ flowId: `flow-${++starts}`, userCode: starts === 1 ? "AAAA-BBBB" : "CCCC-DDDD" }),
      sso_poll: (args) =>
        (args as { flowId: string }).flowId === "flow-1"
          ? Promise.reject({ kind: "credentials", code: "SsoDenied", message: "the sign-in was denied in the browser" })
          : PENDING,
    });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    await advance(5000);
    const notice = byTestId(form, "error-notice")!;
    expect(notice.dataset.code).toBe("SsoDenied");
    expect(notice.textContent).toContain("The sign-in was denied.");
    expect(byTestId(form, "sso-user-code")).toBeNull();
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);

    click(form, "sso-try-again");
    await settle();
    expect(callsTo(calls, "sso_start")).toHaveLength(2);
    expect(byTestId(form, "sso-user-code")?.textContent).toBe("CCCC-DDDD");
    expect(byTestId(form, "error-notice")).toBeNull();
    await advance(5000);
    expect(callsTo(calls, "sso_poll").map((c) => c.args)).toEqual([{ flowId: "flow-1" }, { flowId: "flow-2" }]);
  });

  it("says plainly that the code expired (found by the backend), in Traditional Chinese too", async () => {
    backend({
      sso_start: () => signIn(),
      sso_poll: reject({ kind: "credentials", code: "SsoExpired", message: "the sign-in code expired" }),
    });
    setLocale("zh-TW");
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    expect(form.textContent).toContain("請確認驗證碼相符");
    await advance(5000);
    expect(byTestId(form, "error-notice")?.textContent).toContain("驗證碼已過期。");
    expect(byTestId(form, "sso-try-again")?.textContent?.trim()).toBe("再試一次");
  });

  it("gives up at the code's expiry without another poll, and Try again restarts", async () => {
    // Every code works for 7 s from its start.
    const calls = backend({
      sso_start: () => signIn({ expiresAt: new Date(Date.now() + 7_000).toISOString() }),
      sso_poll: () => PENDING,
    });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    await advance(5000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
    await advance(2000);
    expect(byTestId(form, "error-notice")?.dataset.code).toBe("SsoExpired");
    expect(byTestId(form, "error-notice")?.textContent).toContain("The sign-in code expired.");
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);

    click(form, "sso-try-again");
    await settle();
    expect(callsTo(calls, "sso_start")).toHaveLength(2);
    expect(byTestId(form, "sso-user-code")).not.toBeNull();
    await advance(5000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(2);
  });

  it("shows why the start URL was refused, with Try again", async () => {
    backend({
      sso_start: reject({ kind: "invalidInput", code: "SsoStartUrlInvalid", message: "looks like https://…" }),
    });
    const form = await openSsoForm();
    click(form, "sso-sign-in");
    await settle();
    expect(byTestId(form, "error-notice")?.textContent).toContain("That start URL cannot be used.");
    expect(byTestId(form, "sso-try-again")).not.toBeNull();
  });
});

describe("Signing a saved IAM Identity Center connection in again", () => {
  it("offers Sign in again on an expired row and saves with its id, account and role", async () => {
    const expired = ssoConnection();
    const renewed = ssoConnection({}, false);
    renewed.sso = { ...renewed.sso!, expiresAt: "2025-03-02T17:00:00Z" };
    const calls = backend({
      list_connections: () => ({ activeId: "demo", connections: [KEYS, expired] }),
      sso_start: () => signIn({ flowId: "flow-again" }),
      sso_poll: pollScript(PENDING, APPROVED),
      save_connection: () => renewed,
    });
    const panel = await openPanel();
    expect(byTestId(row(panel, KEYS_ID), "sso-reauth")).toBeNull();
    const ssoRow = row(panel, SSO_ID);
    expect(byTestId(ssoRow, "sso-reauth")?.textContent?.trim()).toBe("Sign in again");

    click(ssoRow, "sso-reauth");
    await settle();
    expect(callsTo(calls, "sso_start").map((c) => c.args)).toEqual([
      { startUrl: START_URL, ssoRegion: "us-west-2", endpoint: OIDC_ENDPOINT },
    ]);
    expect(byTestId(ssoRow, "sso-user-code")?.textContent).toBe("WDJB-MJHT");
    expect(byTestId(ssoRow, "sso-verification-uri")?.textContent).toBe(signIn().verificationUri);
    expect(byTestId(ssoRow, "sso-reauth")).toBeNull();

    await advance(5000);
    await advance(5000);
    expect(savedInputs(calls)).toEqual([reauthInput(expired, "flow-again")]);
    expect(savedInputs(calls)[0]).toMatchObject({
      id: SSO_ID,
      name: "Corp SSO",
      kind: "sso",
      region: "eu-west-1",
      ssoFlowId: "flow-again",
      ssoAccountId: "111122223333",
      ssoRoleName: "BedrockUser",
      endpoints: { sso: OIDC_ENDPOINT },
    });
    // Not being activated: nothing is switched.
    expect(callsTo(calls, "activate_connection")).toHaveLength(0);
    const updated = row(panel, SSO_ID);
    expect(byTestId(updated, "sso-reauth")).toBeNull();
    expect(byTestId(updated, "sso-user-code")).toBeNull();
    expect(updated.textContent).toMatch(/Session ends .*2025/);
    expect(updated.textContent).not.toContain("sign-in has expired");
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(2);
  });

  it("offers Sign in again when Use finds the session over, then uses the connection", async () => {
    const current = ssoConnection({}, false);
    const calls = backend({
      list_connections: () => ({ activeId: "demo", connections: [current] }),
      activate_connection: () =>
        callsTo(calls, "save_connection").length === 0
          ? Promise.reject({ kind: "credentials", code: "SsoSessionExpired", message: "the session ended" })
          : { ...DEMO_STATUS, mode: "aws", connectionId: SSO_ID, connectionName: "Corp SSO", region: "eu-west-1" },
      sso_start: () => signIn(),
      sso_poll: () => APPROVED,
      save_connection: () => current,
    });
    const panel = await openPanel();
    expect(byTestId(row(panel, SSO_ID), "sso-reauth")).toBeNull();
    click(row(panel, SSO_ID), "use-connection");
    await settle();
    const notice = byTestId(row(panel, SSO_ID), "error-notice")!;
    expect(notice.dataset.code).toBe("SsoSessionExpired");
    expect(notice.textContent).toContain("The IAM Identity Center session has ended.");

    click(row(panel, SSO_ID), "sso-reauth");
    await settle();
    await advance(5000);
    expect(savedInputs(calls)).toEqual([reauthInput(current, "flow-1")]);
    expect(callsTo(calls, "activate_connection").map((c) => c.args)).toEqual([{ id: SSO_ID }, { id: SSO_ID }]);
    expect(row(panel, SSO_ID).dataset.active).toBe("true");
    expect(byTestId(row(panel, SSO_ID), "error-notice")).toBeNull();
  });

  it("offers Sign in again when Verify finds the session over, without switching", async () => {
    const current = ssoConnection({}, false);
    const calls = backend({
      list_connections: () => ({ activeId: "demo", connections: [current] }),
      verify_connection: reject({ kind: "credentials", code: "SsoSessionExpired" }),
      sso_start: () => signIn(),
      sso_poll: () => APPROVED,
      save_connection: () => current,
    });
    const panel = await openPanel();
    click(row(panel, SSO_ID), "verify-connection");
    await settle();
    click(row(panel, SSO_ID), "sso-reauth");
    await settle();
    await advance(5000);
    expect(savedInputs(calls)).toHaveLength(1);
    expect(callsTo(calls, "activate_connection")).toHaveLength(0);
  });

  it("shows a denial in the row with Try again, and Cancel ends it", async () => {
    const calls = backend({
      list_connections: () => ({ activeId: "demo", connections: [ssoConnection()] }),
      sso_start: () => signIn(),
      sso_poll: reject({ kind: "credentials", code: "SsoDenied" }),
    });
    const panel = await openPanel();
    click(row(panel, SSO_ID), "sso-reauth");
    await settle();
    await advance(5000);
    expect(byTestId(row(panel, SSO_ID), "error-notice")?.textContent).toContain("The sign-in was denied.");
    click(row(panel, SSO_ID), "sso-try-again");
    await settle();
    expect(callsTo(calls, "sso_start")).toHaveLength(2);
    click(row(panel, SSO_ID), "sso-cancel");
    await advance(60_000);
    expect(callsTo(calls, "sso_poll")).toHaveLength(1);
    expect(byTestId(row(panel, SSO_ID), "sso-reauth")).not.toBeNull();
    expect(savedInputs(calls)).toHaveLength(0);
  });
});

describe("Start-up after an expired IAM Identity Center session", () => {
  const EXPIRED_STATUS: AppStatus = {
    ...DEMO_STATUS,
    startupError: { kind: "credentials", code: "SsoSessionExpired", message: "the session ended", parameters: [] },
  };

  it("offers Sign in again in the notice: one click opens the panel and signs the expired connection in", async () => {
    const expired = ssoConnection();
    const calls = backend({
      app_status: () =>
        callsTo(calls, "activate_connection").length === 0
          ? EXPIRED_STATUS
          : { ...DEMO_STATUS, mode: "aws", connectionId: SSO_ID, connectionName: "Corp SSO", region: "eu-west-1" },
      list_connections: () => ({ activeId: "demo", connections: [KEYS, expired] }),
      sso_start: () => signIn(),
      sso_poll: pollScript(PENDING, APPROVED),
      save_connection: () => ssoConnection({}, false),
      activate_connection: () => ({
        ...DEMO_STATUS,
        mode: "aws",
        connectionId: SSO_ID,
        connectionName: "Corp SSO",
        region: "eu-west-1",
      }),
    });
    const root = renderApp();
    await settle();
    const notice = byTestId(root, "error-notice")!;
    expect(notice.dataset.code).toBe("SsoSessionExpired");
    expect(notice.textContent).toContain("Choose Sign in again");
    const button = byTestId(root, "startup-sso-reauth")!;
    expect(button.textContent?.trim()).toBe("Sign in again");

    click(root, "startup-sso-reauth");
    await settle();
    const panel = byTestId(document.body, "connections-panel")!;
    expect(callsTo(calls, "sso_start").map((c) => c.args)).toEqual([
      { startUrl: START_URL, ssoRegion: "us-west-2", endpoint: OIDC_ENDPOINT },
    ]);
    expect(byTestId(row(panel, SSO_ID), "sso-user-code")?.textContent).toBe("WDJB-MJHT");

    await advance(5000);
    await advance(5000);
    expect(savedInputs(calls)).toEqual([reauthInput(expired, "flow-1")]);
    expect(callsTo(calls, "activate_connection").map((c) => c.args)).toEqual([{ id: SSO_ID }]);
    expect(row(panel, SSO_ID).dataset.active).toBe("true");
    expect(byTestId(document.body, "startup-sso-reauth")).toBeNull();
    expect(byTestId(document.body, "demo-banner")).toBeNull();
  });

  it("opens the panel for the user to pick when several connections have expired", async () => {
    const calls = backend({
      app_status: () => EXPIRED_STATUS,
      list_connections: () => ({
        activeId: "demo",
        connections: [ssoConnection(), ssoConnection({ id: OTHER_SSO_ID, name: "Other SSO" })],
      }),
    });
    const root = renderApp();
    await settle();
    click(root, "startup-sso-reauth");
    await settle();
    const panel = byTestId(document.body, "connections-panel")!;
    expect(callsTo(calls, "sso_start")).toHaveLength(0);
    expect(byTestId(row(panel, SSO_ID), "sso-reauth")).not.toBeNull();
    expect(byTestId(row(panel, OTHER_SSO_ID), "sso-reauth")).not.toBeNull();
  });

  it("does not offer it for other start-up failures, and the header button never starts a sign-in", async () => {
    const calls = backend({
      app_status: () => ({ ...DEMO_STATUS, startupError: { kind: "credentials", code: "SecretMissing", message: "gone" } }),
      list_connections: () => ({ activeId: "demo", connections: [ssoConnection()] }),
    });
    const root = renderApp();
    await settle();
    expect(byTestId(root, "error-notice")).not.toBeNull();
    expect(byTestId(root, "startup-sso-reauth")).toBeNull();
    click(root, "connection-button");
    await settle();
    expect(callsTo(calls, "sso_start")).toHaveLength(0);
  });
});

describe("IAM Identity Center words", () => {
  type Tree = { [key: string]: string | Tree };
  const sso = (dictionary: unknown) => (dictionary as { connections: { sso: Record<string, string> } }).connections.sso;
  const codes = (dictionary: unknown) => (dictionary as { errors: { codes: Tree } }).errors.codes;

  it("exist in both languages with the same keys", () => {
    expect(Object.keys(sso(zhTW)).sort()).toEqual(Object.keys(sso(en)).sort());
    for (const code of ["SsoDenied", "SsoExpired", "SsoSignInRequired", "SsoRoleInvalid", "SsoStartUrlInvalid", "SsoSessionExpired"]) {
      for (const dictionary of [en, zhTW]) {
        const entry = codes(dictionary)[code] as Record<string, string> | undefined;
        expect(entry?.title, code).toBeTruthy();
        expect(entry?.next, code).toBeTruthy();
      }
    }
  });

  it("use the agreed zh-TW terms and keep IAM Identity Center in Latin letters", () => {
    const zh = sso(zhTW);
    expect(zh.signIn).toBe("登入");
    expect(zh.reauth).toBe("重新登入");
    expect(zh.userCode).toBe("驗證碼");
    expect(zh.account).toBe("帳戶");
    expect(zh.role).toBe("角色");
    expect(zh.region).toBe("IAM Identity Center 區域");
    expect(zh.endpoint).toContain("IAM Identity Center");
    expect(zhTW.connections.ssoExpires).toContain("工作階段");
    expect((codes(zhTW).SsoSessionExpired as Record<string, string>).title).toContain("IAM Identity Center 工作階段");
    expect(en.connections.ssoExpires).toBe("Session ends {when}");
  });
});

import {
  ssoPoll,
  ssoStart,
  toCairnError,
  type CairnError,
  type SsoAccountRoles,
  type SsoPoll,
  type SsoSignIn,
} from "../../ipc";

/** Where an IAM Identity Center sign-in stands. */
export type SsoPhase =
  /** Nothing started (or stopped). */
  | "idle"
  /** Waiting for `ssoStart`. */
  | "starting"
  /** The code is shown; polling until the user approves in the browser. */
  | "waiting"
  /** Approved: `accounts` holds what the sign-in offers. */
  | "approved"
  /** Denied, expired or failed: `error` says why. */
  | "failed";

/** Where to sign in: the start URL, the region of IAM Identity Center and an optional endpoint. */
export type SsoSite = { startUrl: string; ssoRegion: string; endpoint: string | null };

/** The two backend calls, replaceable in tests. */
export type SsoBackend = {
  start: (startUrl: string, ssoRegion: string, endpoint: string | null) => Promise<SsoSignIn>;
  poll: (flowId: string) => Promise<SsoPoll>;
};

const IPC_BACKEND: SsoBackend = { start: ssoStart, poll: ssoPoll };

/** What the UI reports when the code runs out between two polls (the backend's code and kind). */
export function expiredError(): CairnError {
  return { kind: "credentials", code: "SsoExpired", message: "the sign-in code expired before it was approved", parameters: [] };
}

/**
 * One IAM Identity Center sign-in: start it, poll until the user approves (never two polls at
 * once: the next is scheduled only after the previous one has answered), stop at the code's expiry.
 * `stop()` ends it at any time; an answer that arrives after that is ignored.
 */
export class SsoSignInFlow {
  phase = $state<SsoPhase>("idle");
  signIn = $state<SsoSignIn | null>(null);
  accounts = $state<SsoAccountRoles[]>([]);
  error = $state<CairnError | null>(null);

  readonly #backend: SsoBackend;
  readonly #onApproved: ((flow: SsoSignInFlow) => void | Promise<void>) | undefined;
  /** Bumped by every start and stop; a callback from an older run sees a different number. */
  #run = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #site: SsoSite | null = null;

  constructor(
    options: { backend?: SsoBackend; onApproved?: (flow: SsoSignInFlow) => void | Promise<void> } = {},
  ) {
    this.#backend = options.backend ?? IPC_BACKEND;
    this.#onApproved = options.onApproved;
  }

  /** The finished sign-in to save, once approved. */
  get flowId(): string | null {
    return this.phase === "approved" ? (this.signIn?.flowId ?? null) : null;
  }

  /** Whether a sign-in is under way (starting or waiting for approval). */
  get busy(): boolean {
    return this.phase === "starting" || this.phase === "waiting";
  }

  /** The site of the last start, for "Try again". */
  get site(): SsoSite | null {
    return this.#site;
  }

  /** Starts a sign-in (ending any earlier one). Resolves once the code is shown or the start failed. */
  async start(site: SsoSite): Promise<void> {
    this.#halt();
    const run = this.#run;
    this.#site = site;
    this.phase = "starting";
    this.signIn = null;
    this.accounts = [];
    this.error = null;
    let signIn: SsoSignIn;
    try {
      signIn = await this.#backend.start(site.startUrl, site.ssoRegion, site.endpoint);
    } catch (e) {
      if (run === this.#run) this.#fail(toCairnError(e));
      return;
    }
    if (run !== this.#run) return;
    this.signIn = signIn;
    this.phase = "waiting";
    this.#schedule(run);
  }

  /** Starts again with the same site (after a denial, an expiry or a failure). */
  async retry(): Promise<void> {
    if (this.#site) await this.start(this.#site);
  }

  /** Stops polling and forgets the sign-in. */
  stop(): void {
    this.#halt();
    this.phase = "idle";
    this.signIn = null;
    this.accounts = [];
    this.error = null;
  }

  #halt(): void {
    this.#run++;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #fail(error: CairnError): void {
    this.#halt();
    this.phase = "failed";
    this.error = error;
  }

  /** The next poll after the interval, or the expiry if that comes first. */
  #schedule(run: number): void {
    const signIn = this.signIn;
    if (!signIn) return;
    const interval = Math.max(1, signIn.intervalSeconds) * 1000;
    const expiresAt = new Date(signIn.expiresAt).getTime();
    const left = Number.isNaN(expiresAt) ? interval : expiresAt - Date.now();
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        void this.#poll(run);
      },
      Math.max(0, Math.min(interval, left)),
    );
  }

  async #poll(run: number): Promise<void> {
    const signIn = this.signIn;
    if (run !== this.#run || !signIn) return;
    const expiresAt = new Date(signIn.expiresAt).getTime();
    if (!Number.isNaN(expiresAt) && Date.now() >= expiresAt) {
      this.#fail(expiredError());
      return;
    }
    let result: SsoPoll;
    try {
      result = await this.#backend.poll(signIn.flowId);
    } catch (e) {
      if (run === this.#run) this.#fail(toCairnError(e));
      return;
    }
    if (run !== this.#run) return;
    if (!result.approved) {
      this.#schedule(run);
      return;
    }
    this.accounts = result.accounts;
    this.phase = "approved";
    await this.#onApproved?.(this);
  }
}

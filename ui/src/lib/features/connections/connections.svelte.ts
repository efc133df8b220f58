import { reauthInput } from "./draft";
import {
  activateConnection,
  appStatus,
  deleteConnection,
  listConnections,
  listProfiles,
  regionChoices,
  saveConnection,
  toCairnError,
  verifyConnection,
  DEMO_CONNECTION_ID,
  type AppStatus,
  type CairnError,
  type ConnectionInfo,
  type ConnectionInput,
  type ProfileInfo,
  type RegionChoices,
} from "../../ipc";

export type SaveResult = { ok: true; connection: ConnectionInfo } | { ok: false; error: CairnError };

/**
 * Called when the backend reports a new status after a change of connection (or an edit of the
 * active one); `connectionChanged` says whether the model list must be reloaded.
 */
export type StatusListener = (status: AppStatus, connectionChanged: boolean) => void | Promise<void>;

/** The saved connections and the actions on them. Never holds a secret. */
export class Connections {
  connections = $state<ConnectionInfo[]>([]);
  activeId = $state(DEMO_CONNECTION_ID);
  loaded = $state(false);
  /** A failure of the list itself, or of an action not tied to one row. */
  error = $state<CairnError | null>(null);

  profiles = $state<ProfileInfo[] | null>(null);
  profilesError = $state<CairnError | null>(null);
  regions = $state<RegionChoices | null>(null);
  regionsError = $state<CairnError | null>(null);

  /** Ids being verified right now. */
  verifying = $state<Record<string, boolean>>({});
  /** The id being switched to or deleted, if any. */
  pending = $state<string | null>(null);
  /** The last failure of an action on a row, by connection id. */
  rowErrors = $state<Record<string, CairnError>>({});

  readonly #onStatus: StatusListener;

  constructor(onStatus: StatusListener) {
    this.#onStatus = onStatus;
  }

  get active(): ConnectionInfo | null {
    return this.connections.find((c) => c.id === this.activeId) ?? null;
  }

  async load(): Promise<void> {
    try {
      const view = await listConnections();
      this.connections = view.connections;
      this.activeId = view.activeId;
      this.error = null;
    } catch (e) {
      this.error = toCairnError(e);
    } finally {
      this.loaded = true;
    }
  }

  /** What the form offers: profiles of the AWS files and the regions. */
  async loadChoices(): Promise<void> {
    const profiles = listProfiles().then(
      (list) => {
        this.profiles = list;
        this.profilesError = null;
      },
      (e: unknown) => {
        this.profiles = [];
        this.profilesError = toCairnError(e);
      },
    );
    const regions = regionChoices().then(
      (choices) => {
        this.regions = choices;
        this.regionsError = null;
      },
      (e: unknown) => {
        this.regionsError = toCairnError(e);
      },
    );
    await Promise.all([profiles, regions]);
  }

  #replace(info: ConnectionInfo): void {
    const index = this.connections.findIndex((c) => c.id === info.id);
    if (index === -1) this.connections = [...this.connections, info];
    else this.connections[index] = info;
  }

  #clearRowError(id: string): void {
    if (id in this.rowErrors) {
      const { [id]: _gone, ...rest } = this.rowErrors;
      this.rowErrors = rest;
    }
  }

  dismissRowError(id: string): void {
    this.#clearRowError(id);
  }

  /** Asks AWS who the connection signs in as; the row then shows the account. */
  async verify(id: string): Promise<boolean> {
    if (this.verifying[id]) return false;
    this.verifying = { ...this.verifying, [id]: true };
    this.#clearRowError(id);
    try {
      this.#replace(await verifyConnection(id));
      return true;
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [id]: toCairnError(e) };
      return false;
    } finally {
      const { [id]: _done, ...rest } = this.verifying;
      this.verifying = rest;
    }
  }

  /** Switches to a connection (or the demo). */
  async activate(id: string): Promise<boolean> {
    if (this.pending !== null) return false;
    this.pending = id;
    this.#clearRowError(id);
    try {
      const status = await activateConnection(id);
      this.activeId = status.connectionId;
      await this.#onStatus(status, true);
      return true;
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [id]: toCairnError(e) };
      return false;
    } finally {
      this.pending = null;
    }
  }

  /** Deletes a connection (and its keychain entry); the demo takes over if it was in use. */
  async remove(id: string): Promise<boolean> {
    if (this.pending !== null) return false;
    this.pending = id;
    this.#clearRowError(id);
    const wasActive = this.activeId === id;
    try {
      const status = await deleteConnection(id);
      this.connections = this.connections.filter((c) => c.id !== id);
      this.activeId = status.connectionId;
      await this.#onStatus(status, wasActive);
      await this.load();
      return true;
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [id]: toCairnError(e) };
      return false;
    } finally {
      this.pending = null;
    }
  }

  /** The saved IAM Identity Center connections whose sign-in has expired. */
  get expiredSso(): ConnectionInfo[] {
    return this.connections.filter((c) => c.kind === "sso" && c.sso?.expired === true);
  }

  /**
   * Keeps a new IAM Identity Center sign-in for a saved connection (same account, role, region and
   * endpoints). A failure is shown on the connection's row.
   */
  async reauthenticate(connection: ConnectionInfo, flowId: string): Promise<boolean> {
    const result = await this.save(reauthInput(connection, flowId));
    if (!result.ok) this.rowErrors = { ...this.rowErrors, [connection.id]: result.error };
    return result.ok;
  }

  /**
   * Saves what the form holds. The input is passed on exactly as given. Editing the active
   * connection switches the backend to the new settings, so the status is refreshed then.
   */
  async save(input: ConnectionInput): Promise<SaveResult> {
    let saved: ConnectionInfo;
    try {
      saved = await saveConnection(input);
    } catch (e) {
      return { ok: false, error: toCairnError(e) };
    }
    this.#replace(saved);
    this.#clearRowError(saved.id);
    if (saved.id === this.activeId) {
      try {
        await this.#onStatus(await appStatus(), true);
      } catch (e) {
        this.error = toCairnError(e);
      }
    }
    return { ok: true, connection: saved };
  }
}

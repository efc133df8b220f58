import type { ConnectionInfo, ConnectionInput, ConnectionKind } from "../../ipc";

/** What the connection form holds while the user types. Secrets live only here, and only until saved. */
export type ConnectionDraft = {
  /** Set when editing a saved connection. */
  id: string | null;
  name: string;
  kind: ConnectionKind;
  /** "" means the default region. */
  region: string;
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  apiKey: string;
  endpointBedrock: string;
  endpointRuntime: string;
  endpointSts: string;
  /** Editing a connection whose secret is kept for this session keeps it there. */
  sessionOnly: boolean;
};

/** The kinds this form can create (an IAM Identity Center sign-in has its own flow). */
export const CONNECTION_KINDS: readonly ConnectionKind[] = ["accessKeys", "profile", "apiKey", "defaultChain"];

/** A blank draft, or one filled from a saved connection (whose secrets the UI never has). */
export function newDraft(editing: ConnectionInfo | null = null): ConnectionDraft {
  return {
    id: editing?.id ?? null,
    name: editing?.name ?? "",
    kind: editing?.kind ?? "accessKeys",
    region: editing && editing.regionSource === "chosen" ? editing.region : "",
    profile: editing?.profile ?? "",
    accessKeyId: "",
    secretAccessKey: "",
    sessionToken: "",
    apiKey: "",
    endpointBedrock: editing?.endpoints.bedrock ?? "",
    endpointRuntime: editing?.endpoints.runtime ?? "",
    endpointSts: editing?.endpoints.sts ?? "",
    sessionOnly: editing?.secretStorage === "session",
  };
}

/** An empty field is "not given"; anything typed is sent exactly as typed (the backend cleans keys). */
function given(value: string): string | null {
  return value === "" ? null : value;
}

/** The input for `saveConnection`: only the fields of the chosen kind, values untouched. */
export function toInput(draft: ConnectionDraft, sessionOnly: boolean = draft.sessionOnly): ConnectionInput {
  const keys = draft.kind === "accessKeys";
  return {
    id: draft.id,
    name: draft.name,
    kind: draft.kind,
    region: given(draft.region),
    profile: draft.kind === "profile" ? given(draft.profile) : null,
    accessKeyId: keys ? given(draft.accessKeyId) : null,
    secretAccessKey: keys ? given(draft.secretAccessKey) : null,
    sessionToken: keys ? given(draft.sessionToken) : null,
    apiKey: draft.kind === "apiKey" ? given(draft.apiKey) : null,
    endpoints: {
      bedrock: given(draft.endpointBedrock),
      runtime: given(draft.endpointRuntime),
      sts: given(draft.endpointSts),
    },
    sessionOnly,
  };
}

/** Forgets every secret the draft holds (after a successful save). */
export function clearSecrets(draft: ConnectionDraft): void {
  draft.accessKeyId = "";
  draft.secretAccessKey = "";
  draft.sessionToken = "";
  draft.apiKey = "";
}

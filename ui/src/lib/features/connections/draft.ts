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
  /** IAM Identity Center: the start URL, the region where it lives and an optional endpoint. */
  ssoStartUrl: string;
  ssoRegion: string;
  endpointSso: string;
  /** The approved sign-in and the chosen account and role ("" = not yet). */
  ssoFlowId: string;
  ssoAccountId: string;
  ssoRoleName: string;
  /** Editing a connection whose secret is kept for this session keeps it there. */
  sessionOnly: boolean;
};

/** The kinds this form can create, in the order it offers them. */
export const CONNECTION_KINDS: readonly ConnectionKind[] = ["accessKeys", "profile", "apiKey", "defaultChain", "sso"];

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
    ssoStartUrl: editing?.sso?.startUrl ?? "",
    ssoRegion: editing?.sso?.region ?? "",
    endpointSso: editing?.endpoints.sso ?? "",
    ssoFlowId: "",
    ssoAccountId: editing?.sso?.accountId ?? "",
    ssoRoleName: editing?.sso?.roleName ?? "",
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
  const input: ConnectionInput = {
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
  if (draft.kind === "sso") {
    input.endpoints.sso = given(draft.endpointSso);
    input.ssoFlowId = given(draft.ssoFlowId);
    input.ssoAccountId = given(draft.ssoAccountId);
    input.ssoRoleName = given(draft.ssoRoleName);
  }
  return input;
}

/**
 * The input that signs a saved IAM Identity Center connection in again: the new sign-in, the same
 * account, role, name, region and endpoints.
 */
export function reauthInput(connection: ConnectionInfo, flowId: string): ConnectionInput {
  return {
    id: connection.id,
    name: connection.name,
    kind: "sso",
    region: connection.regionSource === "chosen" ? connection.region : null,
    profile: null,
    accessKeyId: null,
    secretAccessKey: null,
    sessionToken: null,
    apiKey: null,
    endpoints: {
      bedrock: connection.endpoints.bedrock,
      runtime: connection.endpoints.runtime,
      sts: connection.endpoints.sts,
      sso: connection.endpoints.sso ?? null,
    },
    sessionOnly: connection.secretStorage === "session",
    ssoFlowId: flowId,
    ssoAccountId: connection.sso?.accountId ?? null,
    ssoRoleName: connection.sso?.roleName ?? null,
  };
}

/** Forgets every secret the draft holds (after a successful save). */
export function clearSecrets(draft: ConnectionDraft): void {
  draft.accessKeyId = "";
  draft.secretAccessKey = "";
  draft.sessionToken = "";
  draft.apiKey = "";
  // A sign-in is used up by the save that keeps its token.
  draft.ssoFlowId = "";
}

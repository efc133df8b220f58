import type { MessageKey } from "../i18n/index.svelte";
import type { ErrorKind } from "./index";

export type ErrorText = { title: MessageKey; next: MessageKey };

function unreachable(kind: never): never {
  throw new Error(`Unknown error kind: ${String(kind)}`);
}

/** The plain-words title and next step for each kind of failure. */
export function errorText(kind: ErrorKind): ErrorText {
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
    case "internal":
      return { title: "errors.internal.title", next: "errors.internal.next" };
    default:
      return unreachable(kind);
  }
}

// Pure: dropping a chat setting that a request was refused for, and the button that offers it.
import type { MessageKey } from "../../i18n/index.svelte";
import type { ChatParameter, ChatSettings } from "../../ipc";

/** The settings without `parameter`: null, none or off (thinking: no budget). */
export function withoutParameter(settings: ChatSettings, parameter: ChatParameter): ChatSettings {
  const next: ChatSettings = { ...settings, stopSequences: [...(settings.stopSequences ?? [])] };
  switch (parameter) {
    case "temperature":
      next.temperature = null;
      break;
    case "topP":
      next.topP = null;
      break;
    case "topK":
      next.topK = null;
      break;
    case "maxTokens":
      next.maxTokens = null;
      break;
    case "stopSequences":
      next.stopSequences = [];
      break;
    case "thinking":
      next.thinkingBudget = null;
      break;
    case "context1m":
      next.context1m = false;
      break;
    default: {
      const unknown: never = parameter;
      throw new Error(`Unknown chat parameter: ${String(unknown)}`);
    }
  }
  return next;
}

/** "Drop top-p and send again", … */
export const FIX_LABELS: Readonly<Record<ChatParameter, MessageKey>> = {
  temperature: "errors.fix.temperature",
  topP: "errors.fix.topP",
  topK: "errors.fix.topK",
  maxTokens: "errors.fix.maxTokens",
  stopSequences: "errors.fix.stopSequences",
  thinking: "errors.fix.thinking",
  context1m: "errors.fix.context1m",
};

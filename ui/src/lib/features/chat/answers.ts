// Pure: what an answer offers (Retry, Regenerate, Continue), the conversation's usage total,
// and the word count of a thinking text.
import type { MessageStatus, Role, Usage } from "../../ipc";

/** The stop reason of an answer cut off by the max tokens setting. */
export const MAX_TOKENS_STOP = "max_tokens";

export type AnswerState = {
  role: Role;
  status: MessageStatus;
  text: string;
  /** From this session's done event; unknown (null) for stored answers. */
  stopReason?: string | null;
};

export type AnswerOffers = { retry: boolean; regenerate: boolean; continue: boolean };

const NONE: AnswerOffers = { retry: false, regenerate: false, continue: false };

/**
 * What an answer offers. A failed, incomplete or stopped answer offers Retry (a regenerate);
 * the last one, when it has text, also Continue. A complete answer offers Regenerate, and
 * Continue too when it is the last and stopped at max tokens.
 */
export function answerOffers(message: AnswerState, isLast: boolean): AnswerOffers {
  if (message.role !== "assistant") return NONE;
  switch (message.status) {
    case "streaming":
      return NONE;
    case "failed":
      return { retry: true, regenerate: false, continue: false };
    case "incomplete":
    case "cancelled":
      return { retry: true, regenerate: false, continue: isLast && message.text.trim() !== "" };
    case "complete":
      return { retry: false, regenerate: true, continue: isLast && message.stopReason === MAX_TOKENS_STOP };
    default: {
      const unknown: never = message.status;
      throw new Error(`Unknown message status: ${String(unknown)}`);
    }
  }
}

export type UsageTotal = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The sum of the known estimates; null when no answer has one. */
  costUsd: number | null;
  /** The price date of the newest answer with an estimate. */
  priceDate: string | null;
};

/** Sums the stored usage of every answer; null when no answer has usage yet. */
export function sumUsage(messages: ReadonlyArray<{ usage?: Usage | null }>): UsageTotal | null {
  let total: UsageTotal | null = null;
  for (const { usage } of messages) {
    if (!usage) continue;
    total ??= { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null, priceDate: null };
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.cacheReadTokens += usage.cacheReadTokens;
    total.cacheWriteTokens += usage.cacheWriteTokens;
    if (usage.costUsd !== null) {
      total.costUsd = (total.costUsd ?? 0) + usage.costUsd;
      total.priceDate = usage.priceDate ?? total.priceDate;
    }
  }
  return total;
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/gu;
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Words in a text: each CJK character counts as one, other runs of letters and digits as one. */
export function countWords(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = text.replace(CJK, " ").match(WORD)?.length ?? 0;
  return cjk + rest;
}

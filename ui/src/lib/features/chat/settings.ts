// Pure: the settings form's text values, their checks, and the selected model's limits.
import type { MessageKey } from "../../i18n/index.svelte";
import type { ChatApi, ChatSettings, ModelOption, ModelRow } from "../../ipc";

/** What the form holds: text as typed, so an invalid value can be shown and explained. */
export type SettingsDraft = {
  api: ChatApi;
  system: string;
  temperature: string;
  topP: string;
  topK: string;
  maxTokens: string;
  /** Comma- or newline-separated. */
  stop: string;
  thinking: boolean;
  thinkingBudget: string;
  context1m: boolean;
  /** Citations on PDFs; through Converse also what makes Claude read pages visually. */
  documentCitations: boolean;
};

export type SettingsField = "temperature" | "topP" | "topK" | "maxTokens" | "stop" | "thinkingBudget";

export type FieldProblem = { key: MessageKey; params?: Record<string, string | number> };

/** The selected model's metadata that the form depends on; `null` fields are unknown. */
export type ModelLimits = {
  maxOutput: number | null;
  thinking: boolean;
  context1mBeta: boolean;
};

export const MAX_STOP_SEQUENCES = 4;
export const MIN_THINKING_BUDGET = 1024;
/** Filled in when thinking is switched on with no budget: room to think, yet cheap. */
export const DEFAULT_THINKING_BUDGET = 4096;

/** Nothing chosen: every parameter is the model's default. */
export function defaultSettings(): ChatSettings {
  return {
    api: "converse",
    system: null,
    maxTokens: null,
    temperature: null,
    topP: null,
    topK: null,
    stopSequences: [],
    thinkingBudget: null,
    context1m: false,
    documentCitations: true,
  };
}

function text(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

export function draftFromSettings(settings: ChatSettings): SettingsDraft {
  const budget = settings.thinkingBudget ?? null;
  return {
    api: settings.api ?? "converse",
    system: settings.system ?? "",
    temperature: text(settings.temperature),
    topP: text(settings.topP),
    topK: text(settings.topK),
    maxTokens: text(settings.maxTokens),
    stop: (settings.stopSequences ?? []).join("\n"),
    thinking: budget !== null,
    thinkingBudget: text(budget),
    context1m: settings.context1m ?? false,
    // Absent in settings saved before PDFs: on, as the backend assumes.
    documentCitations: settings.documentCitations ?? true,
  };
}

/** The stop sequences as typed: split on commas and new lines, blanks dropped. */
export function parseStopSequences(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^\d+$/;

/** A decimal in [0, 1]; "" is null (model default). */
function unitNumber(value: string): number | null | FieldProblem {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  const n = Number(trimmed);
  if (!DECIMAL.test(trimmed) || !Number.isFinite(n) || n < 0 || n > 1) {
    return { key: "settings.invalid.unit" };
  }
  return n;
}

function isProblem(value: unknown): value is FieldProblem {
  return value !== null && typeof value === "object";
}

/** An integer in [min, max]; "" is null. */
function integer(value: string, min: number, max: number | null, key: MessageKey): number | null | FieldProblem {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  const n = Number(trimmed);
  if (!INTEGER.test(trimmed) || !Number.isSafeInteger(n) || n < min || (max !== null && n > max)) {
    return max === null ? { key, params: { min } } : { key, params: { min, max } };
  }
  return n;
}

export type Checked = {
  /** What to send, or null while any field is invalid. */
  settings: ChatSettings | null;
  problems: Partial<Record<SettingsField, FieldProblem>>;
  /** Combinations Amazon Bedrock refuses (with extended thinking); shown, not blocking. */
  warnings: Partial<Record<SettingsField, FieldProblem>>;
};

/**
 * Checks the form against the model's limits. Out-of-range values are problems, never clamped.
 * Thinking and the 1M beta are only sent when the model supports them (their toggles are hidden
 * otherwise).
 */
export function checkDraft(draft: SettingsDraft, limits: ModelLimits | null): Checked {
  const problems: Checked["problems"] = {};
  const maxOutput = limits?.maxOutput ?? null;

  const temperature = unitNumber(draft.temperature);
  if (isProblem(temperature)) problems.temperature = temperature;
  const topP = unitNumber(draft.topP);
  if (isProblem(topP)) problems.topP = topP;
  const topK = integer(draft.topK, 0, null, "settings.invalid.topK");
  if (isProblem(topK)) problems.topK = topK;
  const maxTokens = integer(
    draft.maxTokens,
    1,
    maxOutput,
    maxOutput === null ? "settings.invalid.maxTokensOpen" : "settings.invalid.maxTokens",
  );
  if (isProblem(maxTokens)) problems.maxTokens = maxTokens;

  const stopSequences = parseStopSequences(draft.stop);
  if (stopSequences.length > MAX_STOP_SEQUENCES) {
    problems.stop = { key: "settings.invalid.stop", params: { max: MAX_STOP_SEQUENCES } };
  }

  let thinkingBudget: number | null = null;
  if (limits?.thinking && draft.thinking) {
    // The budget must leave room for the answer: below max tokens (or the model's maximum).
    const ceiling = typeof maxTokens === "number" ? maxTokens : maxOutput;
    const max = ceiling === null ? null : ceiling - 1;
    if (draft.thinkingBudget.trim() === "") {
      problems.thinkingBudget = { key: "settings.invalid.budgetRequired" };
    } else if (max !== null && max < MIN_THINKING_BUDGET) {
      problems.thinkingBudget = { key: "settings.invalid.budgetRoom", params: { min: MIN_THINKING_BUDGET + 1 } };
    } else {
      const budget = integer(draft.thinkingBudget, MIN_THINKING_BUDGET, null, "settings.invalid.budgetOpen");
      if (isProblem(budget)) {
        problems.thinkingBudget =
          max === null ? budget : { key: "settings.invalid.budget", params: { min: MIN_THINKING_BUDGET, max } };
      } else if (ceiling !== null && budget !== null && budget >= ceiling) {
        problems.thinkingBudget = { key: "settings.invalid.budgetAboveMax", params: { max: ceiling } };
      } else {
        thinkingBudget = budget;
      }
    }
  }

  const warnings = thinkingWarnings(limits, draft, temperature, topK);
  if (Object.keys(problems).length > 0) return { settings: null, problems, warnings };
  return {
    settings: {
      api: draft.api,
      system: draft.system.trim() === "" ? null : draft.system,
      maxTokens: maxTokens as number | null,
      temperature: temperature as number | null,
      topP: topP as number | null,
      topK: topK as number | null,
      stopSequences,
      thinkingBudget,
      context1m: Boolean(limits?.context1mBeta && draft.context1m),
      documentCitations: draft.documentCitations,
    },
    problems,
    warnings,
  };
}

/** With extended thinking, temperature must be 1 (or unset) and top-k unset. */
function thinkingWarnings(
  limits: ModelLimits | null,
  draft: SettingsDraft,
  temperature: number | null | FieldProblem,
  topK: number | null | FieldProblem,
): Checked["warnings"] {
  const warnings: Checked["warnings"] = {};
  if (!limits?.thinking || !draft.thinking) return warnings;
  if (typeof temperature === "number" && temperature !== 1) {
    warnings.temperature = { key: "settings.warning.thinkingTemperature" };
  }
  if (typeof topK === "number") warnings.topK = { key: "settings.warning.thinkingTopK" };
  return warnings;
}

/**
 * The picked model's limits from the model table: by its invocation ID, else by base model ID
 * (the table may hold the other endpoint's ID). Null when the table does not know the model.
 */
export function limitsFor(rows: readonly ModelRow[], model: ModelOption | null): ModelLimits | null {
  if (!model) return null;
  const row =
    rows.find((r) => r.invocation?.invocationId === model.invocationId) ??
    rows.find((r) => r.entry.modelId === model.modelId);
  if (!row) return null;
  return { maxOutput: row.entry.maxOutput, thinking: row.entry.thinking, context1mBeta: row.entry.context1mBeta };
}

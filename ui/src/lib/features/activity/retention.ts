// Pure: the retention form as typed → the number of days, or why it cannot be saved.

export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 365;

export type RetentionCheck = { days: number; problem: null } | { days: null; problem: "notNumber" | "range" };

/** Whole days between 7 and 365; anything else is reported, never clamped. */
export function checkRetention(text: string): RetentionCheck {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { days: null, problem: "notNumber" };
  const days = Number(trimmed);
  if (days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) return { days: null, problem: "range" };
  return { days, problem: null };
}

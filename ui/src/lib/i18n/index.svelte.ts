import en from "./en.json";
import zhTW from "./zh-TW.json";

/** Every leaf path of the English dictionary, e.g. "composer.send". */
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type Dictionary = typeof en;
export type MessageKey = Leaves<Dictionary>;
export type Locale = "en" | "zh-TW";
export type Params = Record<string, string | number>;

export const LOCALES: readonly Locale[] = ["en", "zh-TW"];
export const LOCALE_STORAGE_KEY = "cairn.locale";

// Assigning zh-TW to the English shape makes a missing key a type error.
const dictionaries: Record<Locale, Dictionary> = { en, "zh-TW": zhTW };

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "zh-TW";
}

/**
 * Maps a BCP 47 tag to a supported locale: plain "zh" and Traditional Chinese
 * tags (zh-TW, zh-HK, zh-MO, zh-Hant…) give zh-TW; everything else gives English.
 */
export function localeFromLanguage(tag: string | null | undefined): Locale {
  const parts = (tag ?? "").toLowerCase().replace(/_/g, "-").split("-");
  if (parts[0] !== "zh") return "en";
  const rest = parts.slice(1);
  if (rest.length === 0) return "zh-TW";
  return rest.some((p) => p === "hant" || p === "tw" || p === "hk" || p === "mo") ? "zh-TW" : "en";
}

function readSaved(): Locale | null {
  try {
    const saved = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY);
    return isLocale(saved) ? saved : null;
  } catch {
    return null;
  }
}

export function detectLocale(): Locale {
  return readSaved() ?? localeFromLanguage(globalThis.navigator?.language);
}

const state = $state<{ locale: Locale }>({ locale: detectLocale() });

function applyToDocument(locale: Locale): void {
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}
applyToDocument(state.locale);

export function getLocale(): Locale {
  return state.locale;
}

export function setLocale(locale: Locale): void {
  state.locale = locale;
  applyToDocument(locale);
  try {
    globalThis.localStorage?.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // Storage can be unavailable; the choice then lasts for this session only.
  }
}

function lookup(dictionary: Dictionary, key: string): string | undefined {
  let node: unknown = dictionary;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** Translates `key` in the current locale; `{name}` placeholders are filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const template = lookup(dictionaries[state.locale], key) ?? lookup(dictionaries.en, key) ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Locale-aware number, e.g. 1,234. */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(state.locale, options).format(value);
}

/** Today: the time; this year: day and month; otherwise the full short date. */
export function formatShortDate(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) {
    return new Intl.DateTimeFormat(state.locale, { hour: "numeric", minute: "2-digit" }).format(date);
  }
  const sameYear = date.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(
    state.locale,
    sameYear ? { month: "short", day: "numeric" } : { year: "numeric", month: "short", day: "numeric" },
  ).format(date);
}

/** Whether `key` names a message (for keys built at run time, e.g. from a region code). */
export function isMessageKey(key: string): key is MessageKey {
  return lookup(dictionaries.en, key) !== undefined;
}

/** Date and time, e.g. "Mar 2, 2024, 9:00 AM". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A calendar day, e.g. "Oct 28, 2025". Read in UTC, so "2025-10-28" stays the 28th everywhere. */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.locale, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/** US dollars, e.g. "$3.00" or "$0.275". */
export function formatUsd(value: number): string {
  return new Intl.NumberFormat(state.locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 3,
  }).format(value);
}

/** A chart axis tick in US dollars: small ticks keep two significant digits ("$0.00025"),
 *  so neighbouring ticks never read the same. */
export function formatUsdTick(value: number): string {
  if (value === 0 || Math.abs(value) >= 1) return formatUsd(value);
  return new Intl.NumberFormat(state.locale, {
    style: "currency",
    currency: "USD",
    maximumSignificantDigits: 2,
  }).format(value);
}

/** A small estimated cost in US dollars, to four decimals at most, e.g. "$0.0123". */
export function formatCost(value: number): string {
  return new Intl.NumberFormat(state.locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(value);
}

/** A UTC calendar day without its year, e.g. "Oct 28" (chart axes). */
export function formatMonthDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

/** A large count in few characters, e.g. "12K" or "1.2M" (chart axes). */
export function formatCompact(value: number): string {
  return new Intl.NumberFormat(state.locale, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

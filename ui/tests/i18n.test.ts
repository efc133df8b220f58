import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { formatUsdTick, getLocale, localeFromLanguage, setLocale, t, LOCALE_STORAGE_KEY } from "../src/lib/i18n/index.svelte";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const enKeys = flatten(en as Tree);
const zhKeys = flatten(zhTW as Tree);

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

describe("dictionaries", () => {
  it("have the same keys in English and Traditional Chinese", () => {
    expect([...zhKeys.keys()].sort()).toEqual([...enKeys.keys()].sort());
    expect(enKeys.size).toBeGreaterThan(50);
  });

  it("have no empty strings", () => {
    for (const [key, value] of [...enKeys, ...zhKeys]) {
      expect(value.trim(), key).not.toBe("");
    }
  });

  it("use the same placeholders in both languages", () => {
    for (const [key, value] of enKeys) {
      expect(placeholders(zhKeys.get(key) ?? ""), key).toEqual(placeholders(value));
    }
  });

  it("use full-width punctuation in Chinese running text", () => {
    for (const [key, value] of zhKeys) {
      if (!/[\u4e00-\u9fff]/.test(value)) continue;
      expect(value, key).not.toMatch(/[,:;()]|\.$/);
    }
  });

  it("use the agreed zh-TW terms", () => {
    expect(zhKeys.get("errors.credentials.next")).toContain("認證");
    expect(zhKeys.get("errors.throttled.title")).toContain("節流");
    expect(zhKeys.get("errors.throttled.next")).toContain("配額");
    expect(zhKeys.get("errors.needsProfile.title")).toContain("推論設定檔");
    expect(zhKeys.get("models.endpoint.global")).toBe("全域端點");
    expect(zhKeys.get("models.endpoint.regional")).toBe("區域端點");
    expect(zhKeys.get("demo.title")).toBe("示範模式");
    expect(zhKeys.get("chat.usage")).toContain("Token");
    expect(zhKeys.get("errors.accessDenied.next")).toContain("主控台");
    expect(zhKeys.get("models.deprecated")).toContain("已棄用");
  });
});

describe("the Models view's words", () => {
  const newKeys = [...enKeys.keys()].filter((k) => k.startsWith("nav.") || k.startsWith("modelTable."));

  it("exist in both languages with the same placeholders", () => {
    expect(newKeys.length).toBeGreaterThan(80);
    for (const key of newKeys) {
      expect(zhKeys.has(key), key).toBe(true);
      expect(placeholders(zhKeys.get(key) ?? ""), key).toEqual(placeholders(enKeys.get(key) ?? ""));
    }
    const zhOnly = [...zhKeys.keys()].filter((k) => (k.startsWith("nav.") || k.startsWith("modelTable.")) && !enKeys.has(k));
    expect(zhOnly).toEqual([]);
  });

  it("are translated, not copied", () => {
    const same = newKeys.filter((k) => zhKeys.get(k) === enKeys.get(k));
    // Product names, family names and format-only strings stay as they are.
    expect(same.sort()).toEqual(
      ["modelTable.filters.haiku", "modelTable.filters.opus", "modelTable.filters.sonnet", "modelTable.inputs.pdf"].sort(),
    );
  });

  it("use the agreed zh-TW terms", () => {
    const zh = (key: string) => zhKeys.get(key) ?? "";
    expect(zh("modelTable.title")).toBe("模型存取");
    expect(zh("modelTable.col.access")).toBe("模型存取");
    expect(zh("modelTable.endpoint.global")).toContain("全域端點");
    expect(zh("modelTable.endpoint.regional")).toContain("區域端點");
    expect(zh("modelTable.col.geoTitle")).toContain("推論設定檔");
    expect(zh("modelTable.keepHelp")).toContain("資料落地");
    expect(zh("modelTable.lifecycle.deprecatedSince")).toContain("已棄用");
    expect(zh("modelTable.col.context")).toBe("上下文視窗");
    expect(zh("modelTable.price.premiumTitle")).toContain("定價溢價");
    expect(zh("modelTable.access.console")).toContain("主控台");
    expect(zh("modelTable.col.modelId")).toBe("基礎模型 ID");
    expect(zh("modelTable.copy.modelId")).toContain("模型 ID");
    expect(zh("modelTable.yes")).toBe("是");
    expect(zh("modelTable.no")).toBe("否");
  });
});

describe("source code", () => {
  const files = sourceFiles(SRC).filter((f) => !f.endsWith("bindings.ts"));
  const namespaces = Object.keys(en).join("|");
  const keyLiteral = new RegExp(`["'\`]((?:${namespaces})\\.[A-Za-z0-9_.]+)["'\`]`, "g");

  it("is scanned", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("only calls t() with keys that exist", () => {
    let calls = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\bt\(\s*["'`]([^"'`]+)["'`]/g)) {
        calls++;
        expect(enKeys.has(match[1]), `${relative(SRC, file)}: ${match[1]}`).toBe(true);
      }
    }
    expect(calls).toBeGreaterThan(30);
  });

  it("only names message keys that exist", () => {
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(keyLiteral)) {
        expect(enKeys.has(match[1]), `${relative(SRC, file)}: ${match[1]}`).toBe(true);
      }
    }
  });
});

describe("t()", () => {
  afterEach(() => setLocale("en"));

  it("fills placeholders and follows the current locale", () => {
    setLocale("en");
    expect(t("app.region", { region: "us-east-1" })).toBe("Region: us-east-1");
    setLocale("zh-TW");
    expect(getLocale()).toBe("zh-TW");
    expect(t("app.region", { region: "us-east-1" })).toBe("區域：us-east-1");
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe("zh-TW");
    expect(document.documentElement.lang).toBe("zh-TW");
  });

  it("leaves unknown placeholders visible", () => {
    expect(t("app.region")).toBe("Region: {region}");
  });
});

describe("localeFromLanguage", () => {
  it.each([
    ["zh", "zh-TW"],
    ["zh-TW", "zh-TW"],
    ["zh-Hant", "zh-TW"],
    ["zh-Hant-HK", "zh-TW"],
    ["zh_TW", "zh-TW"],
    ["zh-CN", "en"],
    ["en-US", "en"],
    ["fr", "en"],
    ["", "en"],
  ])("%s → %s", (tag, locale) => {
    expect(localeFromLanguage(tag)).toBe(locale);
  });
});

describe("chart ticks in dollars", () => {
  it("keep small neighbouring ticks apart", () => {
    setLocale("en");
    const ticks = [0, 0.00025, 0.0005, 0.00075, 0.001].map(formatUsdTick);
    expect(ticks).toEqual(["$0.00", "$0.00025", "$0.0005", "$0.00075", "$0.001"]);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(formatUsdTick(12.5)).toBe("$12.50");
  });
});

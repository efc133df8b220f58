import { describe, expect, it } from "vitest";
import en from "../src/lib/i18n/en.json";
import zhTW from "../src/lib/i18n/zh-TW.json";
import { ERROR_KINDS, toCairnError, CairnFailure } from "../src/lib/ipc";
import { errorText } from "../src/lib/ipc/errors";

function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

describe("errorText", () => {
  it("covers all eleven error kinds", () => {
    expect(ERROR_KINDS).toHaveLength(11);
  });

  it.each(ERROR_KINDS)("maps %s to a title and next step in both languages", (kind) => {
    const { title, next } = errorText(kind);
    expect(title).not.toBe(next);
    for (const dictionary of [en, zhTW]) {
      for (const key of [title, next]) {
        const value = lookup(dictionary, key);
        expect(typeof value, key).toBe("string");
        expect((value as string).length).toBeGreaterThan(0);
      }
    }
  });

  it("gives each kind its own wording", () => {
    const titles = new Set(ERROR_KINDS.map((kind) => errorText(kind).title));
    expect(titles.size).toBe(ERROR_KINDS.length);
  });
});

describe("toCairnError", () => {
  it("keeps a backend error as it is", () => {
    expect(toCairnError({ kind: "throttled", message: "slow down" })).toEqual({ kind: "throttled", message: "slow down" });
  });

  it("unwraps a CairnFailure", () => {
    expect(toCairnError(new CairnFailure({ kind: "network", message: "offline" }))).toEqual({
      kind: "network",
      message: "offline",
    });
  });

  it("turns anything else into an internal error", () => {
    expect(toCairnError(new Error("boom"))).toEqual({ kind: "internal", message: "boom" });
    expect(toCairnError("text")).toEqual({ kind: "internal", message: "text" });
    expect(toCairnError({ kind: "madeUp", message: "x" }).kind).toBe("internal");
  });
});

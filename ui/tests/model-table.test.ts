import { clearMocks } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { MODEL_STORAGE_KEY, ModelChoice } from "../src/lib/features/models/models.svelte";
import {
  compactTokens,
  consoleUrl,
  nextSort,
  premiumPercent,
  regionalGeography,
  visibleRows,
  DEFAULT_FILTERS,
} from "../src/lib/features/models/table-view";
import { setLocale } from "../src/lib/i18n/index.svelte";
import type { AccessCheck, AppStatus, EndpointChoice, ModelTable } from "../src/lib/ipc";
import { ORIGIN, GEOS, entryOf, optionsOf, originTable, rowOf } from "./model-table-fixture";
import { mockBackend, tick, type Call } from "./ipc-mock";

const SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0";
const OPUS_41 = "anthropic.claude-opus-4-1-20250805-v1:0";

let mounted: Array<Record<string, unknown>> = [];

beforeEach(() => {
  localStorage.clear();
  setLocale("en");
});

afterEach(() => {
  for (const component of mounted) unmount(component);
  mounted = [];
  document.body.innerHTML = "";
  clearMocks();
  setLocale("en");
});

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await tick();
    flushSync();
  }
}

function all<T extends Element = HTMLElement>(root: ParentNode, id: string): T[] {
  return [...root.querySelectorAll<T & Element>(`[data-testid="${id}"]`)];
}

function one<T extends Element = HTMLElement>(root: ParentNode, id: string): T {
  const found = root.querySelector<T & Element>(`[data-testid="${id}"]`);
  if (!found) throw new Error(`no element with data-testid=${id}`);
  return found;
}

function row(root: ParentNode, modelId: string): HTMLTableRowElement {
  const found = root.querySelector<HTMLTableRowElement>(`[data-testid="model-row"][data-model-id="${modelId}"]`);
  if (!found) throw new Error(`no row for ${modelId}`);
  return found;
}

function rowIds(root: ParentNode): string[] {
  return all(root, "model-row").map((r) => r.dataset.modelId ?? "");
}

function input(element: HTMLInputElement, value: string): void {
  element.value = value;
  element.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function change(element: HTMLSelectElement | HTMLInputElement, value?: string): void {
  if (element instanceof HTMLSelectElement && value !== undefined) element.value = value;
  element.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

function status(): AppStatus {
  return { mode: "aws", connectionId: "c-1", connectionName: "Work", region: "us-west-2", simulatorEndpoint: null, startupError: null };
}

/** A backend that keeps endpoint choices and residency the way the Rust side does. */
function backend(start: ModelTable = originTable(), extra: Record<string, (args: unknown) => unknown> = {}) {
  const choices: Record<string, EndpointChoice> = {};
  let keep = start.keepInGeography;
  let current = start;
  const rebuild = () => {
    current = originTable({ keepInGeography: keep, catalog: current.catalog, notice: current.notice }, choices);
    return current;
  };
  const calls: Call[] = mockBackend({
    app_status: () => status(),
    list_models: () => optionsOf(current),
    list_conversations: () => [],
    model_table: () => current,
    set_endpoint_choice: (args) => {
      const { modelId, choice } = args as { modelId: string; choice: EndpointChoice };
      choices[modelId] = choice;
      return rebuild();
    },
    set_keep_in_geography: (args) => {
      keep = (args as { keep: boolean }).keep;
      return rebuild();
    },
    ...extra,
  });
  return { calls, table: () => current };
}

async function openModels(): Promise<HTMLElement> {
  const target = document.createElement("div");
  document.body.append(target);
  mounted.push(mount(App, { target, props: {} }));
  await settle();
  one<HTMLButtonElement>(target, "nav-models").click();
  await settle();
  return target;
}

function count(calls: Call[], cmd: string): number {
  return calls.filter((c) => c.cmd === cmd).length;
}

describe("Models view: the origin document's table", () => {
  it("reproduces every row: IDs, the geography cells and the deprecations", async () => {
    backend();
    const root = await openModels();

    expect(one(root, "models-view")).toBeTruthy();
    expect(one(root, "nav-models").getAttribute("aria-current")).toBe("page");
    expect(one(root, "nav-chat").getAttribute("aria-current")).toBeNull();
    expect(root.querySelector<HTMLElement>(".body")?.hidden).toBe(true);

    const table = root.querySelector("table")!;
    expect(table.querySelector("caption")?.textContent).toContain("estimate, prices of Nov 1, 2025");
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.getAttribute("scope"));
    expect(headers.every((scope) => scope === "col")).toBe(true);
    const geoHeaders = [...table.querySelectorAll("thead th.geo")].map((th) => th.textContent?.trim());
    expect(geoHeaders).toEqual([...GEOS]);

    expect(rowIds(root)).toEqual(ORIGIN.map((spec) => spec.id));
    for (const spec of ORIGIN) {
      const r = row(root, spec.id);
      expect(r.querySelector('th[scope="row"]')?.textContent?.trim()).toBe(spec.name);
      const cells = all(r, "geo-cell");
      expect(cells.map((c) => c.dataset.geo)).toEqual([...GEOS]);
      expect(cells.map((c) => (c.dataset.available === "true" ? "Y" : "N")).join(""), spec.name).toBe(spec.geos);
      for (const cell of cells) {
        const hidden = cell.querySelector(".visually-hidden")?.textContent ?? "";
        expect(hidden.startsWith(cell.dataset.available === "true" ? "Yes" : "No")).toBe(true);
        if (cell.dataset.available === "true") expect(cell.title).toContain(`${cell.dataset.geo}.${spec.id}`);
      }
      const lifecycle = one(r, "lifecycle");
      expect(lifecycle.dataset.deprecated, spec.name).toBe(String(spec.deprecated !== null));
      if (spec.deprecated) {
        expect(lifecycle.textContent).toContain("⚠️");
        expect(lifecycle.textContent).toContain("Deprecated since");
      } else {
        expect(lifecycle.textContent?.trim()).toBe("Active");
      }
      expect(one(r, "copy-model-id").getAttribute("aria-label")).toContain(spec.name);
      expect(r.querySelector(".id code")?.textContent).toBe(spec.id);
    }
    expect(one(row(root, "anthropic.claude-3-7-sonnet-20250219-v1:0"), "lifecycle").textContent).toContain("Oct 28, 2025");
    expect(one(row(root, "anthropic.claude-3-opus-20240229-v1:0"), "lifecycle").textContent).toContain("Jun 30, 2025");
    expect(one(row(root, "anthropic.claude-3-5-haiku-20241022-v1:0"), "lifecycle").textContent).toContain("Dec 19, 2025");
  });

  it("says Yes / No as 是 / 否 in Traditional Chinese", async () => {
    backend();
    setLocale("zh-TW");
    const root = await openModels();
    const cells = all(row(root, SONNET_45), "geo-cell");
    expect(cells.map((c) => c.querySelector(".visually-hidden")?.textContent?.slice(0, 1)).join("")).toBe("是是是是否");
    expect(root.querySelector("thead")?.textContent).toContain("上下文視窗");
    expect(one(row(root, "anthropic.claude-3-7-sonnet-20250219-v1:0"), "lifecycle").textContent).toContain("已棄用");
    const options = [...one<HTMLSelectElement>(row(root, SONNET_45), "endpoint-choice").options].map((o) => o.textContent?.trim());
    expect(options).toEqual(["全域端點（建議）", "區域端點（美國）"]);
  });

  it("shows the live badge, region, inputs, context and prices", async () => {
    backend();
    const root = await openModels();
    const badge = one(root, "catalog-live");
    expect(badge.dataset.live).toBe("true");
    expect(badge.textContent).toContain("Live from Amazon Bedrock · fetched");
    expect(one(root, "models-view").textContent).toContain("US West (Oregon)");
    const sonnet = row(root, SONNET_45);
    expect(sonnet.textContent).toContain("Text, Image, PDF");
    expect(sonnet.textContent).toContain("200K · 1M beta");
    expect(row(root, OPUS_41).textContent).not.toContain("1M beta");
    expect(one(sonnet, "model-price").textContent).toContain("$3.00");
    expect(one(sonnet, "model-price").textContent).toContain("$15.00");
    expect(all(sonnet, "premium-badge")).toHaveLength(0);
    expect(one(sonnet, "invocation-id").textContent).toBe(`global.${SONNET_45}`);
    // Opus 4.1 has no global profile: Global cannot be chosen, the us profile is used.
    const opus = row(root, OPUS_41);
    const select = one<HTMLSelectElement>(opus, "endpoint-choice");
    expect(select.value).toBe("regional");
    expect(select.options[0].disabled).toBe(true);
    expect(one(opus, "invocation-id").textContent).toBe(`us.${OPUS_41}`);
  });
});

describe("Models view: finding a model", () => {
  it("searches by name or ID", async () => {
    backend();
    const root = await openModels();
    const search = one<HTMLInputElement>(root, "model-search");
    input(search, "Sonnet");
    const ids = rowIds(root);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(row(root, id).querySelector("th")?.textContent).toContain("Sonnet");

    input(search, "claude-3-haiku");
    expect(rowIds(root)).toEqual(["anthropic.claude-3-haiku-20240307-v1:0"]);

    input(search, "Gemini");
    expect(rowIds(root)).toEqual([]);
    expect(root.querySelector("table")).toBeNull();
    expect(one(root, "no-match").textContent).toContain("No model matches “Gemini”.");
  });

  it("filters by family and hides legacy models", async () => {
    backend();
    const root = await openModels();
    change(one<HTMLSelectElement>(root, "family-filter"), "haiku");
    expect(rowIds(root)).toEqual([HAIKU_45, "anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"]);

    const legacy = one<HTMLInputElement>(root, "show-legacy");
    expect(legacy.checked).toBe(true);
    legacy.click();
    flushSync();
    expect(rowIds(root)).toEqual([HAIKU_45, "anthropic.claude-3-haiku-20240307-v1:0"]);

    change(one<HTMLSelectElement>(root, "family-filter"), "all");
    expect(rowIds(root)).toHaveLength(7);
    for (const cell of all(root, "lifecycle")) expect(cell.dataset.deprecated).toBe("false");
  });

  it("sorts by input price and says so with aria-sort", async () => {
    backend();
    const root = await openModels();
    const priceHeader = () =>
      [...root.querySelectorAll<HTMLTableCellElement>("thead th")].find((th) => th.textContent?.includes("Price in / out"))!;
    expect(priceHeader().querySelector("button")).not.toBeNull();
    expect(priceHeader().getAttribute("aria-sort")).toBe("none");

    priceHeader().querySelector("button")!.click();
    flushSync();
    expect(priceHeader().getAttribute("aria-sort")).toBe("ascending");
    const prices = () =>
      rowIds(root).map((id) => ORIGIN.find((s) => s.id === id)!.price[0]);
    expect(prices()).toEqual([0.25, 0.8, 1, 3, 3, 3, 5, 15, 15, 15]);
    expect(rowIds(root)[0]).toBe("anthropic.claude-3-haiku-20240307-v1:0");

    priceHeader().querySelector("button")!.click();
    flushSync();
    expect(priceHeader().getAttribute("aria-sort")).toBe("descending");
    expect(prices()).toEqual([15, 15, 15, 5, 3, 3, 3, 1, 0.8, 0.25]);

    const nameHeader = root.querySelector<HTMLTableCellElement>("thead th")!;
    nameHeader.querySelector("button")!.click();
    flushSync();
    expect(nameHeader.getAttribute("aria-sort")).toBe("ascending");
    expect(priceHeader().getAttribute("aria-sort")).toBe("none");
    expect(rowIds(root).slice(0, 4)).toEqual([
      "anthropic.claude-3-haiku-20240307-v1:0",
      "anthropic.claude-3-5-haiku-20241022-v1:0",
      HAIKU_45,
      "anthropic.claude-3-opus-20240229-v1:0",
    ]);
  });
});

describe("Models view: endpoints and residency", () => {
  it("switches a row to Regional and shows the premium and price the backend returns", async () => {
    const { calls } = backend();
    const root = await openModels();
    const listsBefore = count(calls, "list_models");

    change(one<HTMLSelectElement>(row(root, SONNET_45), "endpoint-choice"), "regional");
    await settle();

    const call = calls.find((c) => c.cmd === "set_endpoint_choice");
    expect(call?.args).toEqual({ modelId: SONNET_45, choice: "regional" });
    const sonnet = row(root, SONNET_45);
    expect(one(sonnet, "premium-badge").textContent?.trim()).toBe("+10% regional");
    expect(one(sonnet, "model-price").textContent).toContain("$3.30");
    expect(one(sonnet, "model-price").textContent).toContain("$16.50");
    expect(one(sonnet, "invocation-id").textContent).toBe(`us.${SONNET_45}`);
    expect(one<HTMLSelectElement>(sonnet, "endpoint-choice").value).toBe("regional");
    // Sonnet 4 has no premium (older pricing) even on its regional profile.
    expect(all(row(root, "anthropic.claude-sonnet-4-20250514-v1:0"), "premium-badge")).toHaveLength(0);
    expect(count(calls, "list_models")).toBe(listsBefore + 1);
  });

  it("puts the select back when the backend refuses the choice", async () => {
    backend(originTable(), {
      set_endpoint_choice: () => Promise.reject({ kind: "storage", code: null, message: "database is locked" }),
    });
    const root = await openModels();
    const select = one<HTMLSelectElement>(row(root, SONNET_45), "endpoint-choice");
    change(select, "regional");
    await settle();
    expect(select.value).toBe("global");
    expect(row(root, SONNET_45).querySelector('[role="alert"]')?.textContent).toContain("could not save");
  });

  it("keeps data in the geography: calls the backend and disables Global", async () => {
    const { calls } = backend();
    const root = await openModels();
    const listsBefore = count(calls, "list_models");
    const box = one<HTMLInputElement>(root, "keep-in-geography");
    expect(box.checked).toBe(false);
    expect(root.textContent).toContain("Forbids global endpoints");

    box.click();
    await settle();

    expect(calls.find((c) => c.cmd === "set_keep_in_geography")?.args).toEqual({ keep: true });
    expect(one<HTMLInputElement>(root, "keep-in-geography").checked).toBe(true);
    for (const select of all<HTMLSelectElement>(root, "endpoint-choice")) {
      expect(select.options[0].value).toBe("global");
      expect(select.options[0].disabled).toBe(true);
      expect(select.value).toBe("regional");
    }
    for (const id of all(root, "invocation-id")) expect(id.textContent?.startsWith("us.")).toBe(true);
    expect(all(row(root, HAIKU_45), "premium-badge")).toHaveLength(1);
    expect(count(calls, "list_models")).toBe(listsBefore + 1);
  });

  it("explains a row without a route and disables Use in chat", async () => {
    const table = originTable();
    const opus = table.rows.find((r) => r.entry.modelId === OPUS_41)!;
    opus.invocation = null;
    opus.routeProblem = "NoProfileForRegion";
    backend(table);
    const root = await openModels();
    const r = row(root, OPUS_41);
    expect(all(r, "invocation-id")).toHaveLength(0);
    expect(r.textContent).toContain("No route from this region");
    expect(one<HTMLButtonElement>(r, "use-in-chat").disabled).toBe(true);
  });
});

describe("Models view: access", () => {
  it("checks one model's access and shows the result", async () => {
    const check: AccessCheck = { ok: true, checkedAt: "2025-11-20T09:00:00Z", invocationId: `us.${OPUS_41}`, error: null };
    const { calls } = backend(originTable(), { check_model_access: () => check });
    const root = await openModels();
    const r = row(root, OPUS_41);
    expect(one(r, "access-status").dataset.status).toBe("unknown");
    expect(one(r, "access-status").textContent?.trim()).toBe("Not checked");

    one<HTMLButtonElement>(r, "check-access").click();
    await settle();

    expect(calls.find((c) => c.cmd === "check_model_access")?.args).toEqual({ modelId: OPUS_41 });
    const result = one(row(root, OPUS_41), "access-check");
    expect(result.dataset.ok).toBe("true");
    expect(result.textContent).toContain("Works");
    expect(row(root, OPUS_41).textContent).toContain(`Called as us.${OPUS_41}`);
    expect(row(root, OPUS_41).textContent).not.toContain("console.aws.amazon.com");
  });

  it("explains a failed check and offers the console address", async () => {
    const check: AccessCheck = {
      ok: false,
      checkedAt: "2025-11-20T09:00:00Z",
      invocationId: `us.${OPUS_41}`,
      error: { kind: "accessDenied", code: "AccessDeniedException", message: "You don't have access to the model", parameters: [] },
    };
    backend(originTable(), { check_model_access: () => check });
    const root = await openModels();
    one<HTMLButtonElement>(row(root, OPUS_41), "check-access").click();
    await settle();
    const r = row(root, OPUS_41);
    expect(one(r, "access-check").dataset.ok).toBe("false");
    expect(r.textContent).toContain("not allowed to use this model");
    expect(r.textContent).toContain("https://console.aws.amazon.com/bedrock/home?region=us-west-2");
    expect(all(r, "copy-console-url")).toHaveLength(1);
  });

  it("shows each access status in plain words, and Check all replaces the table", async () => {
    const checked = originTable();
    const words: Record<string, string> = {};
    const statuses = ["authorized", "notAuthorized", "agreementPending", "notInRegion"] as const;
    checked.rows.forEach((r, i) => {
      r.entry.access = statuses[i % statuses.length];
      if (r.entry.access === "agreementPending") r.entry.accessDetail = "Submit the use case details";
    });
    words.authorized = "Authorized";
    words.notAuthorized = "Not authorized";
    words.agreementPending = "Agreement pending (Anthropic use-case form)";
    words.notInRegion = "Not offered in this region";
    const { calls } = backend(originTable(), { check_all_access: () => checked });
    const root = await openModels();
    one<HTMLButtonElement>(root, "check-all").click();
    await settle();
    expect(count(calls, "check_all_access")).toBe(1);
    for (const status of all(root, "access-status")) {
      expect(status.textContent?.trim()).toBe(words[status.dataset.status ?? ""]);
    }
    const pending = all(root, "access-status").find((s) => s.dataset.status === "agreementPending")!;
    expect(pending.closest("td")?.textContent).toContain("Submit the use case details");
    expect(pending.closest("td")?.textContent).toContain("bedrock/home?region=us-west-2");
    const authorized = all(root, "access-status").find((s) => s.dataset.status === "authorized")!;
    expect(authorized.closest("td")?.textContent).not.toContain("bedrock/home");
  });
});

describe("Models view: Use in chat", () => {
  it("switches to the chat with the row's invocation ID in the picker", async () => {
    const { calls } = backend();
    const root = await openModels();
    const listsBefore = count(calls, "list_models");
    one<HTMLButtonElement>(row(root, HAIKU_45), "use-in-chat").click();
    await settle();

    expect(root.querySelector('[data-testid="models-view"]')).toBeNull();
    expect(one(root, "nav-chat").getAttribute("aria-current")).toBe("page");
    expect(root.querySelector<HTMLElement>(".body")?.hidden).toBe(false);
    expect(one<HTMLSelectElement>(root, "model-picker").value).toBe(`global.${HAIKU_45}`);
    expect(localStorage.getItem(MODEL_STORAGE_KEY)).toBe(`global.${HAIKU_45}`);
    expect(count(calls, "list_models")).toBe(listsBefore + 1);
  });

  it("uses the regional invocation ID after the endpoint was changed", async () => {
    backend();
    const root = await openModels();
    change(one<HTMLSelectElement>(row(root, HAIKU_45), "endpoint-choice"), "regional");
    await settle();
    one<HTMLButtonElement>(row(root, HAIKU_45), "use-in-chat").click();
    await settle();
    const picker = one<HTMLSelectElement>(root, "model-picker");
    expect(picker.value).toBe(`us.${HAIKU_45}`);
    expect([...picker.options].map((o) => o.value)).toContain(`us.${HAIKU_45}`);
  });

  it("walks the rows with the arrow keys and uses the focused one on Enter", async () => {
    backend();
    const root = await openModels();
    const rows = all<HTMLTableRowElement>(root, "model-row");
    expect(rows.map((r) => r.tabIndex)).toEqual([0, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
    rows[0].focus();
    const key = (target: Element, k: string) => {
      const event = new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      flushSync();
      return event;
    };
    expect(key(rows[0], "ArrowDown").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(rows[1]);
    key(rows[1], "End");
    expect(document.activeElement).toBe(rows[9]);
    key(rows[9], "ArrowUp");
    expect(document.activeElement).toBe(rows[8]);
    expect(rows[8].tabIndex).toBe(0);
    expect(rows[0].tabIndex).toBe(-1);

    // Enter inside a control of the row is left to that control.
    key(one(rows[8], "check-access"), "Enter");
    expect(root.querySelector('[data-testid="models-view"]')).not.toBeNull();

    key(rows[8], "Enter");
    await settle();
    expect(root.querySelector('[data-testid="models-view"]')).toBeNull();
    expect(one<HTMLSelectElement>(root, "model-picker").value).toBe(`us.${ORIGIN[8].id}`);
  });
});

describe("Models view: when the table is not live or not there", () => {
  it("names bundled data and explains the notice", async () => {
    backend(
      originTable({
        catalog: { ...originTable().catalog, live: false },
        notice: { kind: "needsSigV4", code: null, message: "ListFoundationModels needs SigV4", parameters: [] },
      }),
    );
    const root = await openModels();
    const badge = one(root, "catalog-live");
    expect(badge.dataset.live).toBe("false");
    expect(badge.textContent).toContain("Bundled data (Nov 1, 2025) — not live");
    const notice = one(one(root, "models-view"), "error-notice");
    expect(notice.dataset.kind).toBe("needsSigV4");
    expect(notice.textContent).toContain("This needs access keys or an AWS profile.");
  });

  it("refreshes with refresh=true and keeps the table when that fails", async () => {
    let refreshes = 0;
    const table = originTable();
    const { calls } = backend(table, {
      model_table: (args) => {
        if ((args as { refresh: boolean }).refresh) {
          refreshes++;
          return Promise.reject({ kind: "network", code: null, message: "dispatch failure" });
        }
        return table;
      },
    });
    const root = await openModels();
    expect(calls.find((c) => c.cmd === "model_table")?.args).toEqual({ refresh: false });
    one<HTMLButtonElement>(root, "refresh-models").click();
    flushSync();
    expect(one(root, "refresh-models").textContent).toContain("Refreshing");
    await settle();
    expect(refreshes).toBe(1);
    expect(one(one(root, "models-view"), "error-notice").dataset.kind).toBe("network");
    expect(rowIds(root)).toHaveLength(10);
    expect(one(root, "refresh-models").textContent?.trim()).toBe("Refresh");
  });

  it("says so in plain words when the catalog is empty", async () => {
    backend(originTable({ rows: [], catalog: { ...originTable().catalog, entries: [] } }));
    const root = await openModels();
    expect(root.querySelector("table")).toBeNull();
    expect(one(root, "models-view").textContent).toContain("Amazon Bedrock lists no Claude models for this region.");
  });

  it("shows why the table could not be loaded and tries again", async () => {
    let fail = true;
    backend(originTable(), {
      model_table: () => (fail ? Promise.reject({ kind: "credentials", code: null, message: "expired" }) : originTable()),
    });
    const root = await openModels();
    expect(one(one(root, "models-view"), "error-notice").dataset.kind).toBe("credentials");
    fail = false;
    [...root.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent?.trim() === "Try again")!.click();
    await settle();
    expect(rowIds(root)).toHaveLength(10);
  });
});

describe("table-view helpers", () => {
  it("names the regional geography a row would use", () => {
    const sonnet4 = rowOf(entryOf(ORIGIN[1]));
    expect(regionalGeography(sonnet4, ["jp", "apac"])).toBe("apac");
    const sonnet45 = rowOf(entryOf(ORIGIN[0]));
    expect(regionalGeography(sonnet45, ["jp", "apac"])).toBe("jp");
    expect(regionalGeography(sonnet45, [])).toBeNull();
  });

  it("formats context windows, premiums and the console address", () => {
    expect(compactTokens(200_000)).toBe("200K");
    expect(compactTokens(1_000_000)).toBe("1M");
    expect(compactTokens(8192)).toBe("8K");
    expect(premiumPercent(1.1)).toBe(10);
    expect(premiumPercent(1.25)).toBe(25);
    expect(premiumPercent(null)).toBe(10);
    expect(consoleUrl("eu-central-1")).toBe("https://console.aws.amazon.com/bedrock/home?region=eu-central-1");
  });

  it("puts unknown prices last in both directions", () => {
    const rows = ORIGIN.slice(0, 3).map((s) => rowOf(entryOf(s)));
    rows[1].inputPrice = null;
    const asc = visibleRows(rows, DEFAULT_FILTERS, { key: "inputPrice", direction: "ascending" });
    const desc = visibleRows(rows, DEFAULT_FILTERS, nextSort({ key: "inputPrice", direction: "ascending" }, "inputPrice"));
    expect(asc[2].inputPrice).toBeNull();
    expect(desc[2].inputPrice).toBeNull();
  });
});

describe("ModelChoice after an endpoint change", () => {
  it("keeps the same model selected when its invocation ID changes", async () => {
    let table = originTable();
    mockBackend({ list_models: () => optionsOf(table) });
    const choice = new ModelChoice();
    await choice.load();
    choice.select(`global.${HAIKU_45}`);
    table = originTable({}, { [HAIKU_45]: "regional" });
    await choice.reload();
    expect(choice.selectedId).toBe(`us.${HAIKU_45}`);
    expect(localStorage.getItem(MODEL_STORAGE_KEY)).toBe(`us.${HAIKU_45}`);
  });
});

/** `n` synthetic rows cycling through the origin models, each with its own ID, in table order. */
function longTable(n: number): ModelTable {
  const base = originTable();
  const rows = Array.from({ length: n }, (_, i) => {
    const spec = ORIGIN[i % ORIGIN.length];
    return rowOf(entryOf({ ...spec, id: `${spec.id}-${String(i).padStart(3, "0")}`, name: `${spec.name} #${i}` }));
  });
  return { ...base, rows, catalog: { ...base.catalog, entries: rows.map((r) => r.entry) } };
}

function frames(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setTimeout(() => step(left - 1), 20));
    step(n);
  });
}

describe("Models view: a long catalog paints progressively", () => {
  it("shows the first rows at once and every row a few frames later, in order", async () => {
    const table = longTable(300);
    backend(table);
    const root = await openModels();
    const first = rowIds(root).length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(300);
    // Frame by frame until every row is there (a busy machine gets fewer frames a second).
    for (let i = 0; i < 250 && rowIds(root).length < 300; i++) {
      await frames(1);
      flushSync();
    }
    expect(rowIds(root)).toEqual(table.rows.map((r) => r.entry.modelId));
  });

  it("End from the first row reaches the last model even before it was painted", async () => {
    backend(longTable(300));
    const root = await openModels();
    const firstRow = all<HTMLTableRowElement>(root, "model-row")[0];
    firstRow.focus();
    firstRow.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    await tick();
    await tick();
    const rows = all<HTMLTableRowElement>(root, "model-row");
    expect(rows).toHaveLength(300);
    expect(document.activeElement).toBe(rows[299]);
  });
});

import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MODEL_STORAGE_KEY, ModelChoice } from "../src/lib/features/models/models.svelte";
import type { ModelOption } from "../src/lib/ipc";
import { mockBackend } from "./ipc-mock";

const MODELS: ModelOption[] = [
  { modelId: "anthropic.sonnet", invocationId: "global.anthropic.sonnet", name: "Claude Sonnet", lifecycle: "ACTIVE", endpoint: "global" },
  { modelId: "anthropic.haiku", invocationId: "us.anthropic.haiku", name: "Claude Haiku", lifecycle: "ACTIVE", endpoint: "regional" },
];

beforeEach(() => localStorage.clear());
afterEach(() => clearMocks());

describe("ModelChoice", () => {
  it("selects the first model when nothing was remembered", async () => {
    mockBackend({ list_models: () => MODELS });
    const choice = new ModelChoice();
    await choice.load();
    expect(choice.models).toHaveLength(2);
    expect(choice.selectedId).toBe("global.anthropic.sonnet");
    expect(choice.selected?.name).toBe("Claude Sonnet");
  });

  it("remembers the last choice across loads", async () => {
    mockBackend({ list_models: () => MODELS });
    const first = new ModelChoice();
    await first.load();
    first.select("us.anthropic.haiku");
    expect(localStorage.getItem(MODEL_STORAGE_KEY)).toBe("us.anthropic.haiku");

    const second = new ModelChoice();
    await second.load();
    expect(second.selectedId).toBe("us.anthropic.haiku");
  });

  it("ignores a remembered model that is no longer offered", async () => {
    localStorage.setItem(MODEL_STORAGE_KEY, "gone.model");
    mockBackend({ list_models: () => MODELS });
    const choice = new ModelChoice();
    await choice.load();
    expect(choice.selectedId).toBe("global.anthropic.sonnet");
    choice.select("not-offered");
    expect(choice.selectedId).toBe("global.anthropic.sonnet");
  });

  it("keeps the error when the list cannot be loaded", async () => {
    mockBackend({ list_models: () => Promise.reject({ kind: "credentials", message: "no credentials found" }) });
    const choice = new ModelChoice();
    await choice.load();
    expect(choice.error?.kind).toBe("credentials");
    expect(choice.selectedId).toBe("");
    expect(choice.loaded).toBe(true);
  });
});

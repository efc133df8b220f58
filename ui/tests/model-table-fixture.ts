// A ModelTable shaped after the table of model IDs in the origin document
// (shared/seeds/claude-on-bedrock.zh-TW.md): ten models, which of the global / us / eu / jp / apac
// inference profiles each has, and the three deprecations with their dates.
import type { CatalogEntry, EndpointChoice, ModelOption, ModelRow, ModelTable } from "../src/lib/ipc";

export const GEOS = ["global", "us", "eu", "jp", "apac"] as const;

type Spec = {
  name: string;
  id: string;
  /** Y / N for global, us, eu, jp, apac, in that order. */
  geos: string;
  deprecated: string | null;
  family: "opus" | "sonnet" | "haiku";
  price: [number, number];
  context: number;
  premium: boolean;
};

export const ORIGIN: readonly Spec[] = [
  { name: "Claude Sonnet 4.5", id: "anthropic.claude-sonnet-4-5-20250929-v1:0", geos: "YYYYN", deprecated: null, family: "sonnet", price: [3, 15], context: 200_000, premium: true },
  { name: "Claude Sonnet 4", id: "anthropic.claude-sonnet-4-20250514-v1:0", geos: "YYYNY", deprecated: null, family: "sonnet", price: [3, 15], context: 200_000, premium: false },
  { name: "Claude Sonnet 3.7", id: "anthropic.claude-3-7-sonnet-20250219-v1:0", geos: "NYYNY", deprecated: "2025-10-28", family: "sonnet", price: [3, 15], context: 200_000, premium: false },
  { name: "Claude Opus 4.5", id: "anthropic.claude-opus-4-5-20251101-v1:0", geos: "YYYNN", deprecated: null, family: "opus", price: [5, 25], context: 200_000, premium: true },
  { name: "Claude Opus 4.1", id: "anthropic.claude-opus-4-1-20250805-v1:0", geos: "NYNNN", deprecated: null, family: "opus", price: [15, 75], context: 200_000, premium: false },
  { name: "Claude Opus 4", id: "anthropic.claude-opus-4-20250514-v1:0", geos: "NYNNN", deprecated: null, family: "opus", price: [15, 75], context: 200_000, premium: false },
  { name: "Claude Opus 3", id: "anthropic.claude-3-opus-20240229-v1:0", geos: "NYNNN", deprecated: "2025-06-30", family: "opus", price: [15, 75], context: 200_000, premium: false },
  { name: "Claude Haiku 4.5", id: "anthropic.claude-haiku-4-5-20251001-v1:0", geos: "YYYNN", deprecated: null, family: "haiku", price: [1, 5], context: 200_000, premium: true },
  { name: "Claude Haiku 3.5", id: "anthropic.claude-3-5-haiku-20241022-v1:0", geos: "NYNNN", deprecated: "2025-12-19", family: "haiku", price: [0.8, 4], context: 200_000, premium: false },
  { name: "Claude Haiku 3", id: "anthropic.claude-3-haiku-20240307-v1:0", geos: "NYYNY", deprecated: null, family: "haiku", price: [0.25, 1.25], context: 200_000, premium: false },
];

export function entryOf(spec: Spec): CatalogEntry {
  return {
    modelId: spec.id,
    name: spec.name,
    family: spec.family,
    lifecycle: spec.deprecated ? "LEGACY" : "ACTIVE",
    legacySince: null,
    endOfLife: null,
    deprecatedOn: spec.deprecated,
    profiles: GEOS.filter((_, i) => spec.geos[i] === "Y").map((geo) => ({ geo, profileId: `${geo}.${spec.id}` })),
    onDemand: false,
    access: "unknown",
    accessDetail: null,
    inputModalities: ["TEXT", "IMAGE"],
    pdf: true,
    contextWindow: spec.context,
    maxOutput: 64_000,
    context1mBeta: spec.name === "Claude Sonnet 4.5" || spec.name === "Claude Sonnet 4",
    thinking: true,
    inputPrice: spec.price[0],
    outputPrice: spec.price[1],
    regionalPremium: spec.premium,
    inMetadata: true,
  };
}

/** The row the backend would give for `choice` from us-west-2 (the `us` geography). */
export function rowOf(entry: CatalogEntry, choice: EndpointChoice = "global", keep = false): ModelRow {
  const hasGlobal = entry.profiles.some((p) => p.geo === "global");
  const global = choice === "global" && !keep && hasGlobal;
  const premium = !global && entry.regionalPremium;
  const factor = premium ? 1.1 : 1;
  return {
    entry,
    choice,
    invocation: { invocationId: `${global ? "global" : "us"}.${entry.modelId}`, endpoint: global ? "global" : "regional", premium },
    routeProblem: null,
    inputPrice: entry.inputPrice === null ? null : Math.round(entry.inputPrice * factor * 1000) / 1000,
    outputPrice: entry.outputPrice === null ? null : Math.round(entry.outputPrice * factor * 1000) / 1000,
    lastCheck: null,
  };
}

export function originTable(over: Partial<ModelTable> = {}, choices: Record<string, EndpointChoice> = {}): ModelTable {
  const keep = over.keepInGeography ?? false;
  return {
    catalog: {
      entries: ORIGIN.map(entryOf),
      geographies: [...GEOS],
      live: true,
      region: "us-west-2",
      regionGeographies: ["us"],
      fetchedAt: "2025-11-20T08:30:00Z",
      priceDate: "2025-11-01",
      premiumFactor: 1.1,
      warnings: [],
    },
    rows: ORIGIN.map((spec) => rowOf(entryOf(spec), choices[spec.id] ?? "global", keep)),
    keepInGeography: keep,
    notice: null,
    ...over,
  };
}

/** What `list_models` answers for a table: one option per row with a route. */
export function optionsOf(table: ModelTable): ModelOption[] {
  return table.rows.flatMap((row) =>
    row.invocation
      ? [
          {
            modelId: row.entry.modelId,
            invocationId: row.invocation.invocationId,
            name: row.entry.name,
            lifecycle: row.entry.lifecycle,
            endpoint: row.invocation.endpoint,
          },
        ]
      : [],
  );
}

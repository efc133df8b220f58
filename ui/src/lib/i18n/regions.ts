import { isMessageKey, t } from "./index.svelte";

/** The region's name as the AWS console shows it ("US East (N. Virginia)"), or the bare code. */
export function regionName(code: string): string {
  const key = `regions.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

/** "US East (N. Virginia) · us-east-1", or just the code when the region has no known name. */
export function regionLabel(code: string): string {
  const name = regionName(code);
  return name === code ? code : t("connections.regionOption", { name, code });
}

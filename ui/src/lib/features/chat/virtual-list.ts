// Pure: where each message of a long list sits, from measured heights and an estimate.

/** The height assumed for a message not measured yet, in pixels. */
export const ESTIMATED_HEIGHT = 160;

/** `offsets[i]` is the top of item i; `offsets[n]` the total height. */
export function offsetsOf(
  ids: readonly string[],
  heights: ReadonlyMap<string, number>,
  estimate = ESTIMATED_HEIGHT,
): Float64Array {
  const offsets = new Float64Array(ids.length + 1);
  for (let i = 0; i < ids.length; i++) offsets[i + 1] = offsets[i] + (heights.get(ids[i]) ?? estimate);
  return offsets;
}

/** The first index whose item ends below `y` (n when none does). */
function firstEndingBelow(offsets: Float64Array, y: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid + 1] > y) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The items to render: those within [top − overscan, top + viewport + overscan); end exclusive. */
export function visibleRange(
  offsets: Float64Array,
  top: number,
  viewport: number,
  overscan: number,
): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const start = Math.min(firstEndingBelow(offsets, top - overscan), count - 1);
  const bottom = top + viewport + overscan;
  let end = firstEndingBelow(offsets, bottom);
  end = Math.min(count, Math.max(end + 1, start + 1));
  return { start, end };
}

/** The scroll position that centres item `index` in a viewport of `viewport` pixels. */
export function centredTop(offsets: Float64Array, index: number, viewport: number): number {
  const height = offsets[index + 1] - offsets[index];
  return Math.max(0, offsets[index] + height / 2 - viewport / 2);
}

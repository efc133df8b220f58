/** Schedules `run` before the next paint; falls back to a timer where frames are unavailable. */
export type FrameScheduler = (run: () => void) => void;

export const nextFrame: FrameScheduler = (run) => {
  if (typeof globalThis.requestAnimationFrame === "function") {
    globalThis.requestAnimationFrame(() => run());
  } else {
    setTimeout(run, 16);
  }
};

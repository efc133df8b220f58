// PDF pages drawn with pdf.js, loaded only when a PDF is first shown (it is large). Set up for
// Cairn's strict CSP: the worker is the bundled file, no `eval`, no WebAssembly, and nothing is
// fetched from elsewhere (no remote fonts or character maps; the system's fonts stand in for the
// standard 14). The legacy build is used: the modern one needs newer JavaScript than the
// WebKitGTK and Safari versions Cairn supports (e.g. Map.prototype.getOrInsertComputed).
import workerUrl from "pdfjs-dist/legacy/build/pdf.worker.min.mjs?url";

type PdfJs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");

let library: Promise<PdfJs> | null = null;

function loadPdfJs(): Promise<PdfJs> {
  library ??= import("pdfjs-dist/legacy/build/pdf.mjs").then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
    return pdfjs;
  });
  // A failed load (e.g. a chunk that could not be read) may be tried again later.
  library.catch(() => {
    library = null;
  });
  return library;
}

/** An open PDF: how many pages it has, drawing one of them, and letting it go. */
export type PdfDocument = {
  readonly pages: number;
  /**
   * Draws page `page` (1-based) into `canvas`, `width` CSS pixels wide (sharp on high-density
   * screens). A draw still running on the same canvas is cancelled; resolves false when this one
   * was cancelled in turn.
   */
  render(page: number, canvas: HTMLCanvasElement, width: number): Promise<boolean>;
  destroy(): void;
};

function isCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === "RenderingCancelledException";
}

/** Fetches the PDF at `url` (Cairn's `cairn-doc:` address) and opens it with pdf.js. */
export async function openPdf(url: string): Promise<PdfDocument> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The PDF could not be read (HTTP ${response.status}).`);
  const data = new Uint8Array(await response.arrayBuffer());
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    data,
    isEvalSupported: false,
    useWasm: false,
    useSystemFonts: true,
    enableXfa: false,
    disableAutoFetch: true,
    stopAtErrors: false,
  });
  const pdf = await task.promise;
  const running = new WeakMap<HTMLCanvasElement, { cancel: () => void }>();
  // The latest draw asked for on each canvas; an older one that is still loading its page stops.
  const latest = new WeakMap<HTMLCanvasElement, number>();
  let draws = 0;

  return {
    pages: pdf.numPages,
    async render(page, canvas, width) {
      const draw = ++draws;
      latest.set(canvas, draw);
      running.get(canvas)?.cancel();
      const proxy = await pdf.getPage(page);
      if (latest.get(canvas) !== draw) return false;
      const natural = proxy.getViewport({ scale: 1 });
      const cssWidth = Math.max(1, width);
      const ratio = globalThis.devicePixelRatio || 1;
      const viewport = proxy.getViewport({ scale: (cssWidth / natural.width) * ratio });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${cssWidth}px`;
      canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
      const task = proxy.render({ canvas, viewport });
      running.set(canvas, task);
      try {
        await task.promise;
        return true;
      } catch (error) {
        if (isCancelled(error)) return false;
        throw error;
      } finally {
        if (running.get(canvas) === task) running.delete(canvas);
      }
    },
    destroy() {
      void task.destroy();
    },
  };
}

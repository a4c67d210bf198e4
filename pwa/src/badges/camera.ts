// Reading QR codes from the camera: the browser's BarcodeDetector where it reads QR codes, else
// ZXing compiled to WebAssembly — its .wasm is one of our own built assets, never a CDN.
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

async function nativeDetector(): Promise<Detector | null> {
  const BD = (globalThis as { BarcodeDetector?: { new (o: object): Detector; getSupportedFormats(): Promise<string[]> } })
    .BarcodeDetector;
  if (!BD) return null;
  try {
    return (await BD.getSupportedFormats()).includes("qr_code") ? new BD({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}

async function zxingDetector(canvas: HTMLCanvasElement): Promise<Detector> {
  const { prepareZXingModule, readBarcodes } = await import("zxing-wasm/reader");
  prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) } });
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  return {
    async detect(source) {
      const video = source as HTMLVideoElement;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      if (!canvas.width) return [];
      ctx.drawImage(video, 0, 0);
      const found = await readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), {
        formats: ["QRCode"],
        tryHarder: true,
      });
      return found.filter((r) => r.isValid).map((r) => ({ rawValue: r.text }));
    },
  };
}

export interface Scanner {
  engine: "native" | "zxing";
  stop(): void;
}

/** Show the rear camera in `video` and call `onText` with each code read (until stopped). */
export async function startScanner(video: HTMLVideoElement, onText: (text: string) => void): Promise<Scanner> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute("playsinline", "");
  await video.play();
  const native = await nativeDetector();
  const detector = native ?? (await zxingDetector(document.createElement("canvas")));
  let running = true;
  let last = "";
  const tick = async () => {
    if (!running) return;
    try {
      for (const { rawValue } of await detector.detect(video)) {
        if (rawValue && rawValue !== last) {
          last = rawValue;
          onText(rawValue);
        }
      }
    } catch {
      // a frame that could not be read: try the next
    }
    if (running) setTimeout(() => void tick(), 150);
  };
  void tick();
  return {
    engine: native ? "native" : "zxing",
    stop() {
      running = false;
      stream.getTracks().forEach((t) => t.stop());
      video.srcObject = null;
    },
  };
}

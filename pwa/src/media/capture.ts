/** Photo capture helpers: the card-shaped framing guide, the crop it implies, client-side resize. */

/** ISO/IEC 7810 ID-1 (85.60 × 53.98 mm): the shape of all three certificate cards. */
export const CARD_RATIO = 85.6 / 53.98;
export const MAX_SIDE = 1600; // the server reads at 960 px; a little more keeps text crisp
export const JPEG_QUALITY = 0.85;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The guide: the largest card-shaped box within `fill` of the frame, centred. */
export function guideRect(frameWidth: number, frameHeight: number, fill = 0.86): Rect {
  let width = frameWidth * fill;
  let height = width / CARD_RATIO;
  if (height > frameHeight * fill) {
    height = frameHeight * fill;
    width = height * CARD_RATIO;
  }
  return { x: (frameWidth - width) / 2, y: (frameHeight - height) / 2, width, height };
}

/** The crop to send: the guide plus a margin (the server deskews and finds the text itself). */
export function cropRect(frameWidth: number, frameHeight: number, margin = 0.06): Rect {
  const g = guideRect(frameWidth, frameHeight);
  const mx = g.width * margin;
  const my = g.height * margin;
  const x = Math.max(0, g.x - mx);
  const y = Math.max(0, g.y - my);
  return { x, y, width: Math.min(frameWidth - x, g.width + 2 * mx), height: Math.min(frameHeight - y, g.height + 2 * my) };
}

/** Output size that keeps the aspect ratio with the longest side at most `max` (never upscales). */
export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

function toJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("encode failed"))), "image/jpeg", JPEG_QUALITY),
  );
}

/** Draw `source` (its `area`) into a canvas no larger than MAX_SIDE and encode it as JPEG. */
export function encode(source: CanvasImageSource, area: Rect): Promise<Blob> {
  const size = fitWithin(area.width, area.height);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  canvas.getContext("2d")!.drawImage(source, area.x, area.y, area.width, area.height, 0, 0, size.width, size.height);
  return toJpeg(canvas);
}

/** A picked file, upright (EXIF orientation applied by the decoder) and resized. */
export async function resizeFile(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    return await encode(bitmap, { x: 0, y: 0, width: bitmap.width, height: bitmap.height });
  } finally {
    bitmap.close();
  }
}

/** One frame of a playing video, cropped to the guide. */
export function grabFrame(video: HTMLVideoElement): Promise<Blob> {
  return encode(video, cropRect(video.videoWidth, video.videoHeight));
}

// The QR of a code, drawn here (no network): uqr picks alphanumeric mode for base45 text.
import { encode } from "uqr";

export interface QrPicture {
  path: string; // SVG path of the dark modules
  size: number; // modules per side, quiet zone included
  version: number;
}

export function qrPicture(text: string, border = 4): QrPicture {
  const qr = encode(text, { ecc: "M", border });
  let path = "";
  qr.data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { path, size: qr.size, version: qr.version };
}

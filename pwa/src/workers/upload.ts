/** Upload rules the page checks before sending (the server checks them again). */

import type { LedgerImport } from "./types";

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** A message key when the file cannot be sent, else null. */
export function uploadProblem(name: string, size: number): "notXlsx" | "tooBig" | null {
  if (!name.toLowerCase().endsWith(".xlsx")) return "notXlsx";
  if (size > MAX_UPLOAD_BYTES) return "tooBig";
  return null;
}

export function finished(status: LedgerImport["status"]): boolean {
  return status !== "queued" && status !== "running";
}

/** Reading is most of the work: it fills the bar to 60 %, writing the rest. */
export function progressPercent(job: Pick<LedgerImport, "status" | "progress">): number {
  if (finished(job.status)) return 100;
  const p = job.progress;
  if (!p || !p.total) return 0;
  const share = Math.min(1, p.done / p.total);
  if (p.phase === "read") return Math.round(share * 60);
  if (p.phase === "write") return 60 + Math.round(share * 40);
  return 0;
}

/** The canonical decision an approver signs (docs/permits.md): the same bytes as backend/permits/approvals.py. */

import { NetworkError } from "../api";
import { bufferToBase64url } from "../b64url";
import { getPasskey } from "../passkey";
import { engineStore, recordOp } from "../sync/live";
import { type Location, type Permit, permitsApi } from "./api";

export interface DecisionInput {
  permit_id: string;
  permit_version: number;
  content_sha256: string;
  step: string;
  decision: "approve" | "reject";
  comment: string;
  location: Location | null;
  signed_at: string;
}

/** JSON with keys sorted at every level and no whitespace: what Python's sort_keys + compact separators write. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(",")}}`;
}

export function canonicalDecision(input: DecisionInput): string {
  return canonicalJSON({
    v: 1,
    kind: "permit.decision",
    permit_id: input.permit_id,
    permit_version: input.permit_version,
    content_sha256: input.content_sha256,
    step: input.step,
    decision: input.decision,
    comment: input.comment,
    location: input.location
      ? { lat_e6: input.location.lat_e6, lon_e6: input.location.lon_e6, accuracy_m: input.location.accuracy_m }
      : null,
    signed_at: input.signed_at,
  });
}

export async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

export async function challengeOf(input: DecisionInput): Promise<string> {
  return bufferToBase64url(await sha256(canonicalDecision(input)));
}

/**
 * Signs a decision with the platform passkey. It needs no network: the challenge is the hash of
 * the decision itself, so an approval made offline can be sent later and still verified.
 */
export async function signDecision(input: DecisionInput, credentialIds: string[] = [], rpId?: string) {
  const challenge = await challengeOf(input);
  const options = {
    challenge,
    rpId,
    userVerification: "required" as const,
    timeout: 120000,
    allowCredentials: credentialIds.map((id) => ({ id, type: "public-key" as const })),
  };
  return getPasskey(options);
}

export type SignedDecision = Omit<DecisionInput, "permit_id">;

/** `permit.approve` through the sync outbox: the server decides it when the phone is back online. */
export const SYNC_KIND = "permit.approve";

/**
 * Send a signed decision now, or — offline, or when the request never reached the server — queue
 * it in the sync outbox as `permit.approve` (signed-guarded) if the server decides that command.
 * Returns the permit as the server now holds it, or "queued".
 */
export async function sendDecision(
  permitId: string,
  signed: SignedDecision,
  credential: Record<string, unknown>,
  api = permitsApi(),
  online: () => boolean = () => navigator.onLine,
): Promise<Permit | "queued"> {
  const engine = engineStore.get();
  const canQueue = Boolean(engine?.commands.has(SYNC_KIND));
  if (!online() && canQueue) return queue(permitId, signed, credential);
  try {
    return await api.decide(permitId, { ...signed, credential });
  } catch (err) {
    if (err instanceof NetworkError && canQueue) return queue(permitId, signed, credential);
    throw err;
  }
}

async function queue(permitId: string, signed: SignedDecision, credential: Record<string, unknown>): Promise<"queued"> {
  await recordOp(SYNC_KIND, "permit", permitId, { ...signed }, { signature: credential });
  return "queued";
}

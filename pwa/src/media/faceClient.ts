/** Face consent and liveness calls. */

import { api, type Api } from "../api";

export interface Consent {
  person_id: string;
  granted: boolean;
}

export interface FaceCheck {
  id: string;
  decision: string;
  detail: { actions?: string[]; reason?: string; expires_at?: string };
}

export const consentOf = (person: string, client: Api = api) =>
  client.request<Consent>("GET", `/api/media/faces/${person}/consent`);
export const grantConsent = (person: string, client: Api = api) =>
  client.request<Consent>("POST", `/api/media/faces/${person}/consent`);
export const startLiveness = (person: string, client: Api = api) =>
  client.request<FaceCheck>("POST", `/api/media/faces/${person}/liveness`);
export const sendClip = (checkId: string, clip: Blob, client: Api = api) =>
  client.send<FaceCheck>("POST", `/api/media/faces/liveness/${checkId}/clip`, clip, clip.type || "video/webm");
/** A selfie against the face on a certificate scan (`scanId`) or, without it, the enrolled face. */
export const compareSelfie = (person: string, selfie: Blob, scanId: string | null, client: Api = api) =>
  client.send<FaceCheck & { distance: number | null; threshold: number }>(
    "POST",
    `/api/media/faces/${person}/compare${scanId ? `?scan_id=${scanId}` : ""}`,
    selfie,
    selfie.type || "image/jpeg",
  );
export const enrolFace = (person: string, photo: Blob, client: Api = api) =>
  client.send<{ person_id: string; engine: string; expires_at: string }>(
    "POST",
    `/api/media/faces/${person}/enrolment`,
    photo,
    photo.type || "image/jpeg",
  );

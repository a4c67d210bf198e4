/** Practical-exam video calls: the resumable upload, the assessor's queue and review. */

import { api, type Api } from "../api";

export interface ExamUpload {
  id: string;
  person_id: string;
  item_key: string;
  size: number;
  offset: number; // bytes the server holds: the next chunk starts here
  chunk_max: number;
  expires_at: string;
}

export interface ExamVideo {
  id: string;
  person_id: string;
  item_key: string;
  sha256: string;
  size: number;
  container: string;
  codec: string;
  duration_s: number;
  status: "uploaded" | "passed" | "failed";
  created_at: string;
  face_distance: number | null;
  steps: { step: string; at_s: number }[];
  note: string;
  reviewed_at: string | null;
}

export interface ExamReview {
  passed: boolean;
  assessor: string;
  steps: { step: string; at_s: number }[];
  note: string;
}

const UP = "/api/media/exam-uploads";
const VIDEOS = "/api/media/exam-videos";

export const openUpload = (
  body: { person_id: string; item_key: string; size: number; content_type: string; sha256?: string },
  client: Api = api,
) => client.request<ExamUpload>("POST", `${UP}/`, body);
export const uploadState = (id: string, client: Api = api) => client.request<ExamUpload>("GET", `${UP}/${id}`);
export const putChunk = (id: string, offset: number, chunk: Blob, client: Api = api) =>
  client.send<ExamUpload>("PUT", `${UP}/${id}?offset=${offset}`, chunk, "application/octet-stream");
export const completeUpload = (id: string, client: Api = api) => client.request<ExamVideo>("POST", `${UP}/${id}/complete`);
export const cancelUpload = (id: string, client: Api = api) => client.request<void>("DELETE", `${UP}/${id}`);

export const examQueue = (client: Api = api) => client.request<ExamVideo[]>("GET", `${VIDEOS}/?status=uploaded`);
export const getExam = (id: string, client: Api = api) => client.request<ExamVideo>("GET", `${VIDEOS}/${id}`);
export const reviewExam = (id: string, body: ExamReview, client: Api = api) =>
  client.request<ExamVideo>("POST", `${VIDEOS}/${id}/review`, body);
export const examFileUrl = (id: string) => `${VIDEOS}/${id}/file`;

/** The alarm endpoints, on top of the shared API client. */

import { api, type Api } from "../api";
import type { Alarm, Board, IngestAnswer, Site } from "./types";

export interface SosBody {
  alarm_id: string;
  raised_at: string;
  gps?: { lat: number; lon: number } | null;
  accuracy_m?: number | null;
  message?: string;
}

export function alarmsClient(client: Api = api) {
  return {
    mine: () => client.request<Alarm[]>("GET", "/api/alarms/mine"),
    get: (id: string) => client.request<Alarm>("GET", `/api/alarms/${id}`),
    ack: (id: string) => client.request<Alarm>("POST", `/api/alarms/${id}/ack`, { op_id: crypto.randomUUID() }),
    resolve: (id: string, resolution: string) =>
      client.request<Alarm>("POST", `/api/alarms/${id}/resolve`, { resolution }),
    assign: (id: string, personId: string) =>
      client.request<Alarm>("POST", `/api/alarms/${id}/assign`, { person_id: personId }),
    sites: () => client.request<Site[]>("GET", "/api/alarms/sites"),
    board: (siteId: string) => client.request<Board>("GET", `/api/alarms/board?site_id=${siteId}`),
    sos: (body: SosBody) => client.request<IngestAnswer>("POST", "/api/alarms/sos", body),
    vapidKey: () => client.request<{ public_key: string }>("GET", "/api/push/vapid-public-key"),
    subscribe: (subscription: PushSubscriptionJSON, deviceId: string | null) =>
      client.request<{ device_id: string }>("POST", "/api/push/subscriptions", { ...subscription, device_id: deviceId }),
    unsubscribe: (deviceId: string) => client.request<void>("DELETE", `/api/push/subscriptions/${deviceId}`),
    testPush: () => client.request<{ queued: number }>("POST", "/api/push/test"),
  };
}

export const alarms = alarmsClient();

/** Pure helpers for showing alarms: order, labels, the answer-time clock, board updates. */

import type { Alarm, DeviceStatus } from "./types";

export const OPEN: readonly string[] = ["raised", "notified"];

export function isOpen(alarm: Pick<Alarm, "state">): boolean {
  return OPEN.includes(alarm.state);
}

/** Open alarms first (most urgent tier, then oldest: the one waiting longest), then the rest newest first. */
export function sortAlarms<T extends Pick<Alarm, "state" | "tier" | "received_at">>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => {
    const open = Number(isOpen(b)) - Number(isOpen(a));
    if (open) return open;
    if (isOpen(a)) return a.tier - b.tier || a.received_at.localeCompare(b.received_at);
    return b.received_at.localeCompare(a.received_at);
  });
}

/** The alarm's title in the UI language, falling back to Chinese, then to its code. */
export function alarmTitle(alarm: Pick<Alarm, "labels" | "kind">, lang: string): string {
  const titles = alarm.labels.title ?? {};
  return titles[lang] ?? titles["zh-CN"] ?? alarm.kind;
}

/** Seconds an open alarm has waited for an answer (the 90-second KPI clock). */
export function waitingSeconds(alarm: Pick<Alarm, "received_at">, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(alarm.received_at)) / 1000));
}

/** B角 hand-overs: each recipient reached instead of someone marked away (deputy, the absent person). */
export function handOvers(alarm: Pick<Alarm, "recipients">): { deputy: string; absent: string }[] {
  return alarm.recipients.flatMap((r) =>
    r.stands_in_for ? [{ deputy: r.name, absent: r.stands_in_for_name ?? "?" }] : [],
  );
}

export function upsertAlarm(list: readonly Alarm[], alarm: Alarm): Alarm[] {
  const rest = list.filter((a) => a.id !== alarm.id);
  return sortAlarms([...rest, alarm]);
}

export function upsertDevice(list: readonly DeviceStatus[], device: DeviceStatus): DeviceStatus[] {
  const rest = list.filter((d) => d.device_id !== device.device_id);
  return [...rest, device].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The detectors behind every edge node, flattened for the health list. */
export function detectorRows(devices: readonly DeviceStatus[]): { device: string; name: string; kind: string; health: string }[] {
  return devices.flatMap((d) =>
    d.kind === "wearable"
      ? []
      : d.components.length
        ? d.components.map((c) => ({ device: d.name, name: c.name, kind: c.kind, health: d.online ? c.health : "offline" }))
        : [{ device: d.name, name: d.name, kind: d.kind, health: d.online ? d.health : "offline" }],
  );
}

export const LOW_BATTERY_PCT = 20;

export interface WearerFact {
  key: "board.hr" | "board.skin" | "board.ambient" | "board.battery";
  values: Record<string, number>;
  warn: boolean; // outside the edge node's default bands (docs/edge.md "Wearables")
}

/** A wearer's vitals, environment and battery as display facts; what the band did not report is left out. */
export function wearerFacts(d: DeviceStatus): WearerFact[] {
  const facts: WearerFact[] = [];
  if (d.heart_rate !== null) {
    facts.push({ key: "board.hr", values: { bpm: d.heart_rate }, warn: d.heart_rate > 150 || (d.heart_rate > 0 && d.heart_rate < 40) });
  }
  if (d.body_temp_c !== null) facts.push({ key: "board.skin", values: { c: d.body_temp_c }, warn: d.body_temp_c >= 38.5 });
  if (d.ambient_temp_c !== null && d.humidity_pct !== null) {
    facts.push({ key: "board.ambient", values: { c: d.ambient_temp_c, rh: Math.round(d.humidity_pct) }, warn: d.ambient_temp_c >= 35 });
  }
  if (d.battery_pct !== null) facts.push({ key: "board.battery", values: { pct: d.battery_pct }, warn: d.battery_pct <= LOW_BATTERY_PCT });
  return facts;
}

export function polygonPoints(polygon: readonly (readonly number[])[]): string {
  return polygon.map((p) => `${p[0]},${p[1]}`).join(" ");
}

/** A UUIDv7 (RFC 9562) minted on the phone: an SOS sent twice (offline retry) is one SOS. */
export function uuid7(now: number = Date.now(), random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(16);
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

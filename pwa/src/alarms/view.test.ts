import { describe, expect, it } from "vitest";

import type { Alarm, DeviceStatus } from "./types";
import { alarmTitle, detectorRows, handOvers, isOpen, sortAlarms, upsertAlarm, uuid7, waitingSeconds, wearerFacts } from "./view";

function alarm(over: Partial<Alarm>): Alarm {
  return {
    id: "a",
    kind: "person_under_load",
    tier: 1,
    labels: { title: { "zh-CN": "一级报警：吊装半径内站人", en: "Tier 1 alarm: Person under a suspended load" } },
    state: "notified",
    level: 0,
    source: "edge",
    site_id: "s",
    site_name: "一厂区",
    area_id: null,
    area_name: null,
    x: null,
    y: null,
    subject_name: null,
    message: "",
    has_image: false,
    received_at: "2026-11-28T08:00:00Z",
    notified_at: null,
    acknowledged_at: null,
    acknowledged_by_name: null,
    response_seconds: null,
    assigned_to: null,
    assigned_name: null,
    resolved_at: null,
    resolution: "",
    version: 1,
    recipients: [],
    ...over,
  };
}

describe("alarm lists", () => {
  it("put open alarms first, tier 1 before tier 2, the longest waiting first", () => {
    const list = [
      alarm({ id: "done", state: "acknowledged", received_at: "2026-11-28T08:05:00Z" }),
      alarm({ id: "t2", tier: 2, received_at: "2026-11-28T07:00:00Z" }),
      alarm({ id: "t1-late", received_at: "2026-11-28T08:02:00Z" }),
      alarm({ id: "t1-early", state: "raised", received_at: "2026-11-28T08:01:00Z" }),
      alarm({ id: "older-done", state: "resolved", received_at: "2026-11-28T06:00:00Z" }),
    ];
    expect(sortAlarms(list).map((a) => a.id)).toEqual(["t1-early", "t1-late", "t2", "done", "older-done"]);
  });

  it("replace an alarm when the board hears of it again", () => {
    const before = [alarm({ id: "a" }), alarm({ id: "b", tier: 2 })];
    const after = upsertAlarm(before, alarm({ id: "a", state: "acknowledged" }));
    expect(after.map((a) => [a.id, a.state])).toEqual([
      ["b", "notified"],
      ["a", "acknowledged"],
    ]);
  });

  it("names each B角 who was reached instead of someone away", () => {
    const r = { role: "guardian", level: 0, devices: 1 };
    const a = alarm({
      recipients: [
        { ...r, person_id: "p1", name: "郑监护" },
        { ...r, person_id: "p2", name: "钱B角", stands_in_for: "p3", stands_in_for_name: "孙外出" },
        { ...r, person_id: "p4", name: "李旧版", stands_in_for: null },
      ],
    });
    expect(handOvers(a)).toEqual([{ deputy: "钱B角", absent: "孙外出" }]);
    expect(handOvers(alarm({}))).toEqual([]);
  });

  it("title in the UI language, falling back to Chinese and then the code", () => {
    expect(alarmTitle(alarm({}), "en")).toBe("Tier 1 alarm: Person under a suspended load");
    expect(alarmTitle(alarm({ labels: { title: { "zh-CN": "一级" } } }), "en")).toBe("一级");
    expect(alarmTitle(alarm({ labels: {} }), "en")).toBe("person_under_load");
  });

  it("count the seconds an open alarm has waited", () => {
    expect(isOpen(alarm({ state: "raised" })) && !isOpen(alarm({ state: "resolved" }))).toBe(true);
    expect(waitingSeconds(alarm({}), Date.parse("2026-11-28T08:01:30Z"))).toBe(90);
  });
});

describe("detector health", () => {
  it("lists each edge node's detectors, offline when the node stopped reporting, and skips wearables", () => {
    const base = { person_name: null, x: null, y: null, heart_rate: null, body_temp_c: null, ambient_temp_c: null,
      humidity_pct: null, battery_pct: null, reported_at: "" };
    const devices: DeviceStatus[] = [
      { ...base, device_id: "1", name: "边缘节点 A1", kind: "edge", health: "degraded", online: true,
        components: [{ name: "3号摄像头", kind: "camera", health: "fault", detail: "" }] },
      { ...base, device_id: "2", name: "边缘节点 B", kind: "edge", health: "ok", online: false, components: [] },
      { ...base, device_id: "3", name: "手环", kind: "wearable", health: "ok", online: true, components: [] },
    ];
    expect(detectorRows(devices).map((d) => [d.name, d.health])).toEqual([
      ["3号摄像头", "fault"],
      ["边缘节点 B", "offline"],
    ]);
  });
});

describe("uuid7", () => {
  it("is a version-7, RFC 9562 variant UUID carrying the time", () => {
    const id = uuid7(0x0193a7c25b1e, () => new Uint8Array(16).fill(0xff));
    expect(id).toBe("0193a7c2-5b1e-7fff-bfff-ffffffffffff");
  });
});

describe("wearerFacts", () => {
  const band: DeviceStatus = {
    device_id: "d",
    name: "WB-07",
    kind: "wearable",
    person_name: "王五",
    x: 10,
    y: 20,
    heart_rate: 162,
    body_temp_c: 35.1,
    ambient_temp_c: 36.5,
    humidity_pct: 71.6,
    battery_pct: 15,
    health: "ok",
    online: true,
    components: [],
    reported_at: "2026-11-28T08:00:00Z",
  };

  it("lists what the band reported and flags what is out of band", () => {
    expect(wearerFacts(band)).toEqual([
      { key: "board.hr", values: { bpm: 162 }, warn: true },
      { key: "board.skin", values: { c: 35.1 }, warn: false },
      { key: "board.ambient", values: { c: 36.5, rh: 72 }, warn: true },
      { key: "board.battery", values: { pct: 15 }, warn: true },
    ]);
  });

  it("leaves out what the band did not report", () => {
    const quiet = { ...band, heart_rate: 80, body_temp_c: null, humidity_pct: null, battery_pct: 90 };
    expect(wearerFacts(quiet)).toEqual([
      { key: "board.hr", values: { bpm: 80 }, warn: false },
      { key: "board.battery", values: { pct: 90 }, warn: false },
    ]);
  });
});

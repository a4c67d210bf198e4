import { describe, expect, it } from "vitest";

import { notificationFor, parsePayload, verdictOf } from "./notify";

const TIER1 = {
  type: "alarm",
  alarm_id: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab",
  tier: 1,
  title: "一级报警：吊装半径内站人",
  body: "一厂区 · 聚合装置区 · 10:02:13",
  tag: "alarm:0193a7c2-5b1e-7c3d-9e4f-0123456789ab",
  require_interaction: true,
  vibrate: [600, 200, 600],
  sound: true,
  image: null,
  raised_at: "2026-11-28T02:02:13Z",
  actions: [
    { action: "ack", title: "确认" },
    { action: "view", title: "查看" },
    { action: "call", title: "呼叫" },
  ],
};

describe("alarm notifications", () => {
  it("keep a tier-1 alarm on screen until answered, with 确认 / 查看, tagged by the alarm", () => {
    const { title, options } = notificationFor(TIER1);
    expect(title).toBe("一级报警：吊装半径内站人");
    expect(options.requireInteraction).toBe(true);
    expect(options.tag).toBe(TIER1.tag);
    expect(options.renotify).toBe(false); // the same alarm again replaces it quietly
    expect(options.actions.map((a) => a.action)).toEqual(["ack", "view"]);
    expect(options.silent).toBe(false);
    expect(options.vibrate).toEqual([600, 200, 600]);
    expect(options.timestamp).toBe(Date.parse("2026-11-28T02:02:13Z"));
    expect(options.data.alarm_id).toBe(TIER1.alarm_id);
  });

  it("show a tier-2 image alert quietly and an unreadable push as the app's name", () => {
    const { options } = notificationFor({ ...TIER1, require_interaction: false, sound: false, vibrate: [], image: "/x.jpg" });
    expect(options.requireInteraction).toBe(false);
    expect(options.silent).toBe(true);
    expect(options.image).toBe("/x.jpg");
    expect(parsePayload("not json")).toBeNull();
    expect(notificationFor({}).title).toBe("特作 Tezuo");
  });
});

describe("outbox verdicts", () => {
  it("keep what may succeed later, drop what the server has or refused", () => {
    expect([200, 201].map(verdictOf)).toEqual(["done", "done"]);
    expect([0, 429, 500, 503].map(verdictOf)).toEqual(["retry", "retry", "retry", "retry"]);
    expect(verdictOf(401)).toBe("sign-in");
    expect([403, 404, 409, 422].map(verdictOf)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
  });
});

describe("the pre-start e-permit push (backend/permits/epermit.py web_push_payload)", () => {
  const id = "0195f000-0000-7000-8000-000000000401";
  const permit = {
    v: 1,
    type: "permit",
    title: "动火作业（二级）· 循环水站",
    body: "DH-20261130-0001 更换循环水管道法兰；撤离：沿疏散路线至1号紧急集合点；最近灭火器：MFZ/ABC8 #1，约 12 m",
    tag: `permit:${id}`,
    url: `/#/permits/${id}`,
    actions: [{ action: "view", title: "查看" }],
  };

  it("is shown under the permit's own tag and keeps the e-permit's address for the tap", () => {
    const { title, options } = notificationFor(parsePayload(JSON.stringify(permit))!);
    expect(title).toBe(permit.title);
    expect(options.body).toBe(permit.body);
    expect(options.tag).toBe(`permit:${id}`);
    expect(options.data.url).toBe(`/#/permits/${id}`); // onNotificationClick opens this
    expect(options.actions).toEqual([{ action: "view", title: "查看" }]); // 查看 opens `url` too
  });
});

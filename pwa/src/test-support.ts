/** Helpers shared by the unit tests (not part of the app bundle: only *.test.ts import it). */

import type { Me } from "./api";
import type { KeyValueStorage } from "./store";

export function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (key) => data.get(key) ?? null,
    set: (key, value) => void data.set(key, value),
    remove: (key) => void data.delete(key),
  };
}

export function meFactory(overrides: Partial<Me> = {}): Me {
  return {
    person_id: "0190f5a2-7c1e-7000-8000-000000000001",
    name: "张三",
    id_number_masked: "1101**********0014",
    unit_path: "/ENT/S1/W1/T1/",
    unit_name: "焊接一班",
    roles: ["inspector", "worker"],
    grants: [
      { role: "worker", scope_path: "/ENT/S1/W1/T1/", scope_name: "焊接一班" },
      { role: "inspector", scope_path: "/ENT/S1/", scope_name: "一号厂区" },
    ],
    home_tabs: ["worker", "inspector"],
    locale: "zh-CN",
    ...overrides,
  };
}

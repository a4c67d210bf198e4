import { describe, expect, it } from "vitest";

import { catalogues, format, isMessageKey, loadLang, placeholders, roleLabel, translate, translator } from ".";
import { memoryStorage } from "../test-support";
import { TABS } from "../tabs";
import { en } from "./en";
import { zhCN } from "./zh-CN";

describe("catalogues", () => {
  it("have exactly the same keys in zh-CN and en", () => {
    const zhKeys = Object.keys(zhCN).sort();
    const enKeys = Object.keys(en).sort();
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });

  it("use the same {placeholders} in both languages", () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
    }
  });

  it("have no empty messages, and zh-CN really is Chinese", () => {
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      for (const [key, value] of Object.entries(catalogue)) expect(value.trim(), `${lang} ${key}`).not.toBe("");
    }
    expect(zhCN["signin.button"]).toMatch(/[\u4e00-\u9fff]/);
  });

  it("cover every home tab: label, duty and the coming-soon card", () => {
    for (const tab of TABS) {
      for (const prefix of ["tab", "duty", "soon"]) expect(isMessageKey(`${prefix}.${tab}`), `${prefix}.${tab}`).toBe(true);
    }
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("zh-CN", "enroll.greeting", { name: "张三" })).toBe("张三，您好！");
    expect(translate("en", "enroll.greeting", { name: "Zhang San" })).toBe("Hello, Zhang San!");
    expect(format("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });

  it("names known roles and shows unknown role codes as they are", () => {
    const t = translator("zh-CN");
    expect(roleLabel(t, "inspector")).toBe("巡检员");
    expect(roleLabel(t, "crane_operator")).toBe("crane_operator");
  });
});

describe("loadLang", () => {
  it("defaults to zh-CN and remembers English", () => {
    const storage = memoryStorage();
    expect(loadLang(storage)).toBe("zh-CN");
    storage.set("tezuo.lang", "en");
    expect(loadLang(storage)).toBe("en");
    storage.set("tezuo.lang", "fr");
    expect(loadLang(storage)).toBe("zh-CN");
  });
});

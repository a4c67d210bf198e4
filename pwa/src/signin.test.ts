import { describe, expect, it } from "vitest";

import { ApiError, NetworkError } from "./api";
import { translate, translator } from "./i18n";
import { CEREMONY_MAX_AGE_MS, errorMessage, stillFresh } from "./signin";

const t = translator("zh-CN");

describe("errorMessage", () => {
  it("shows the server's detail as it is", () => {
    expect(errorMessage(t, new ApiError(422, "enrollment_used", "注册码已使用过，请联系管理员重新生成"))).toBe(
      "注册码已使用过，请联系管理员重新生成",
    );
  });

  it("explains network and passkey-dialog failures in the UI language", () => {
    expect(errorMessage(t, new NetworkError(new TypeError("Failed to fetch")))).toBe(translate("zh-CN", "error.network"));
    expect(errorMessage(t, { name: "NotAllowedError", message: "timed out" })).toBe(
      translate("zh-CN", "error.passkeyCancelled"),
    );
    expect(errorMessage(t, new Error("boom"))).toBe("出错了：boom");
  });
});

describe("prefetched ceremonies", () => {
  it("are reused only while the server's challenge is still valid", () => {
    const fetched = { ceremony: { challenge_id: "c", options: { challenge: "AA" } }, at: 1_000 };
    expect(stillFresh(fetched, 1_000 + CEREMONY_MAX_AGE_MS - 1)).toBe(fetched.ceremony);
    expect(stillFresh(fetched, 1_000 + CEREMONY_MAX_AGE_MS)).toBeNull();
    expect(stillFresh(null)).toBeNull();
  });
});

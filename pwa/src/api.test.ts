import { describe, expect, it } from "vitest";

import { Api, ApiError, type Fetch, NetworkError } from "./api";
import { meFactory } from "./test-support";

function recording(respond: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetcher: Fetch = async (url, init) => {
    calls.push({ url, init });
    return respond();
  };
  return { calls, api: new Api(fetcher) };
}

const json = (body: unknown, status = 200, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("Api", () => {
  it("posts JSON bodies to the auth endpoints", async () => {
    const { calls, api } = recording(() => json(meFactory()));
    await api.enrollVerify("c-1", "CODE", { id: "x" }, "Android · Chrome");
    expect(calls[0]!.url).toBe("/api/auth/enroll/verify");
    expect(calls[0]!.init?.method).toBe("POST");
    expect(JSON.parse(calls[0]!.init?.body as string)).toEqual({
      challenge_id: "c-1",
      code: "CODE",
      credential: { id: "x" },
      label: "Android · Chrome",
    });
    expect((calls[0]!.init?.headers as Record<string, string>)["content-type"]).toBe("application/json");
  });

  it("sends login/options with an empty body and GETs /me", async () => {
    const { calls, api } = recording(() => json({ challenge_id: "c", options: { challenge: "AA" } }));
    await api.loginOptions();
    await api.me();
    expect(calls.map((c) => [c.init?.method, c.url, c.init?.body])).toEqual([
      ["POST", "/api/auth/login/options", undefined],
      ["GET", "/api/auth/me", undefined],
    ]);
  });

  it("turns RFC 9457 problems into ApiError with the server's detail", async () => {
    const problem = {
      type: "https://tezuo.dev/problems/enrollment_used",
      title: "校验失败 Unprocessable",
      status: 422,
      detail: "注册码已使用过，请联系管理员重新生成",
      code: "enrollment_used",
    };
    const { api } = recording(() => json(problem, 422, "application/problem+json"));
    const err = await api.enrollOptions("CODE").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: "enrollment_used", detail: problem.detail });
  });

  it("still gives a readable error when the body is not JSON", async () => {
    const { api } = recording(() => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    await expect(api.me()).rejects.toMatchObject({ status: 502, code: "http_502", detail: "HTTP 502 Bad Gateway" });
  });

  it("reports an unreachable server as NetworkError", async () => {
    const api = new Api(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(api.me()).rejects.toBeInstanceOf(NetworkError);
  });
});

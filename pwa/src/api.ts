/** The API client: JSON in, JSON out, RFC 9457 problems turned into `ApiError`s. */

import type { History, LogKey, TreeHead } from "./audit/proof";
import { deviceHeaders } from "./device";
import type { CreationOptionsJSON, RequestOptionsJSON } from "./passkey";

export interface Grant {
  role: string;
  scope_path: string;
  scope_name: string;
}

/** `GET /api/auth/me` (backend/auth/schemas.py MeOut). */
export interface Me {
  person_id: string;
  name: string;
  id_number_masked: string;
  unit_path: string;
  unit_name: string;
  roles: string[];
  grants: Grant[];
  home_tabs: string[];
  locale: string;
}

export interface Ceremony<Options> {
  challenge_id: string;
  options: Options;
  person_name?: string | null;
}

/** The server answered with an error; `detail` is written for the person using the app. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly title = "",
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/** The server could not be reached at all (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "NetworkError";
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function problemOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's HTML error page): fall back to the status line
  }
  const str = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : "");
  const detail = str("detail") || str("title") || `HTTP ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, str("code") || "http_" + response.status, detail, str("title"));
}

export class Api {
  constructor(private readonly fetcher: Fetch = (input, init) => fetch(input, init)) {}

  async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
    if (body === undefined) return this.send<T>(method, path);
    return this.send<T>(method, path, JSON.stringify(body), "application/json");
  }

  /** Any body as is (a file upload): `contentType` names it. */
  async send<T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: BodyInit,
    contentType?: string,
  ): Promise<T> {
    const init: RequestInit = {
      method,
      credentials: "same-origin",
      headers: { accept: "application/json, application/problem+json", ...deviceHeaders() },
    };
    if (body !== undefined) {
      init.body = body;
      if (contentType) init.headers = { ...init.headers, "content-type": contentType };
    }
    let response: Response;
    try {
      response = await this.fetcher(path, init);
    } catch (err) {
      throw new NetworkError(err);
    }
    if (!response.ok) throw await problemOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  enrollOptions(code: string) {
    return this.request<Ceremony<CreationOptionsJSON>>("POST", "/api/auth/enroll/options", { code });
  }

  enrollVerify(challengeId: string, code: string, credential: unknown, label: string) {
    return this.request<Me>("POST", "/api/auth/enroll/verify", { challenge_id: challengeId, code, credential, label });
  }

  loginOptions() {
    return this.request<Ceremony<RequestOptionsJSON>>("POST", "/api/auth/login/options");
  }

  loginVerify(challengeId: string, credential: unknown) {
    return this.request<Me>("POST", "/api/auth/login/verify", { challenge_id: challengeId, credential });
  }

  me() {
    return this.request<Me>("GET", "/api/auth/me");
  }

  logout() {
    return this.request<{ ok: boolean }>("POST", "/api/auth/logout");
  }

  issueTreeHead() {
    return this.request<TreeHead>("POST", "/api/audit/sth");
  }

  auditKey() {
    return this.request<LogKey>("GET", "/api/audit/key");
  }

  auditHistory(entity: string, entityId: string) {
    const query = new URLSearchParams({ entity, entity_id: entityId });
    return this.request<History>("GET", `/api/audit/history?${query}`);
  }

  auditConsistency(first: number, second: number) {
    const query = new URLSearchParams({ first: String(first), second: String(second) });
    return this.request<{ first: number; second: number; consistency: string[] }>(
      "GET",
      `/api/audit/proof/consistency?${query}`,
    );
  }
}

export const api = new Api();

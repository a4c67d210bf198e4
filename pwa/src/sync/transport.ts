/** The sync endpoints over fetch: a lost connection is a NetworkError (retry later), 401 is SignedOut. */

import { api, ApiError, type Api } from "../api";
import { SignedOut, type Transport } from "./engine";
import type { PullRequest, PullResponse, PushRequest, PushResponse } from "./messages";

export class HttpTransport implements Transport {
  constructor(private readonly client: Api = api) {}

  private async post<T>(path: string, body: unknown): Promise<T> {
    try {
      return await this.client.request<T>("POST", path, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new SignedOut(err.detail);
      throw err;
    }
  }

  push(request: PushRequest): Promise<PushResponse> {
    return this.post("/api/sync/push", request);
  }

  pull(request: PullRequest): Promise<PullResponse> {
    return this.post("/api/sync/pull", request);
  }
}

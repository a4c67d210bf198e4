/** The analytics endpoints, on top of the shared API client. */

import { api, type Api } from "../api";
import type { By, Dashboard, Filters, IndicatorDetail, UnitRef } from "./types";
import { queryOf } from "./view";

export function analyticsClient(client: Api = api, now: () => Date = () => new Date()) {
  return {
    units: () => client.request<UnitRef[]>("GET", "/api/analytics/units"),
    dashboard: (f: Filters) => client.request<Dashboard>("GET", `/api/analytics/dashboard?${queryOf(f, now())}`),
    detail: (key: string, f: Filters, by: By) =>
      client.request<IndicatorDetail>(
        "GET",
        `/api/analytics/indicators/${encodeURIComponent(key)}?${queryOf(f, now())}&by=${by}`,
      ),
    exportHref: (f: Filters) => `/api/analytics/export.xlsx?${queryOf(f, now())}`,
    reportHref: (f: Filters) => `/api/analytics/report.pdf?${queryOf({ ...f, trade: null, personId: null }, now())}`,
    heatmapHref: (f: Filters, shift: "all" | "day" | "night") =>
      `/api/analytics/heatmap.png?${queryOf({ ...f, personId: null }, now())}&shift=${shift}`,
  };
}

export const analytics = analyticsClient();

/** Hash routes: `#/` home (or sign-in), `#/login`, `#/enroll/<code>`, `#/alarms[/<id>]`, `#/board[/<site>]`. */

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "enroll"; code: string }
  | { name: "alarms" }
  | { name: "alarm"; id: string }
  | { name: "board"; siteId: string | null };

const ID = /^[0-9a-f-]{36}$/i;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "");
  const [head = "", ...rest] = path.split("/");
  if (head === "login") return { name: "login" };
  if (head === "alarms") return rest[0] && ID.test(rest[0]) ? { name: "alarm", id: rest[0] } : { name: "alarms" };
  if (head === "board") return { name: "board", siteId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "enroll" && rest[0]) {
    try {
      return { name: "enroll", code: decodeURIComponent(rest[0]) };
    } catch {
      return { name: "enroll", code: rest[0] };
    }
  }
  return { name: "home" };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case "home":
      return "#/";
    case "login":
      return "#/login";
    case "enroll":
      return `#/enroll/${encodeURIComponent(route.code)}`;
    case "alarms":
      return "#/alarms";
    case "alarm":
      return `#/alarms/${route.id}`;
    case "board":
      return route.siteId ? `#/board/${route.siteId}` : "#/board";
  }
}

export function go(route: Route): void {
  location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Hash routes: `#/` home (or sign-in), `#/login`, `#/enroll/<code>`, `#/permits/new`, `#/permits/<id>`. */

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "enroll"; code: string }
  | { name: "permitNew" }
  | { name: "permit"; id: string };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "");
  const [head = "", ...rest] = path.split("/");
  if (head === "login") return { name: "login" };
  if (head === "enroll" && rest[0]) return { name: "enroll", code: decode(rest[0]) };
  if (head === "permits" && rest[0] === "new") return { name: "permitNew" };
  if (head === "permits" && rest[0]) return { name: "permit", id: decode(rest[0]) };
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
    case "permitNew":
      return "#/permits/new";
    case "permit":
      return `#/permits/${encodeURIComponent(route.id)}`;
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

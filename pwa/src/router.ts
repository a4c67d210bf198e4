/** Hash routes: `#/` home (or sign-in), `#/login`, `#/enroll/<code>`. */

import { useEffect, useState } from "preact/hooks";

export type Route = { name: "home" } | { name: "login" } | { name: "enroll"; code: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "");
  const [head = "", ...rest] = path.split("/");
  if (head === "login") return { name: "login" };
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

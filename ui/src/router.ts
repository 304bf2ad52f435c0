/**
 * @module ui/router
 * Hash routing: `#/experiments/1`, `#/runs/<id>`, `#/compare?runs=a,b`, `#/models/<name>`,
 * `#/monitoring/<model>`, `#/pipeline`. A page renders into the main element and may return a
 * cleanup function, called when the user navigates away.
 */

export interface Route {
  /** The first path segment (`experiments`, `runs`, ...); empty for `#/`. */
  section: string;
  /** The decoded segments after it. */
  params: string[];
  query: URLSearchParams;
}

export type Cleanup = () => void;

// biome-ignore lint/suspicious/noConfusingVoidType: a page may return nothing or a cleanup.
export type Page = (root: HTMLElement, route: Route) => Promise<Cleanup | void>;

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = text.split("?", 2);
  const segments = path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return { section: segments[0] ?? "", params: segments.slice(1), query: new URLSearchParams(search) };
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

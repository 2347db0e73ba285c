// Hash routing: `#/path?query`. The table of screens is in routes.js.
import { createStore } from "./stores/store.js";

/** @typedef {{ path: string, query: URLSearchParams }} Location */

function read() {
  const [path, search = ""] = (location.hash.slice(1) || "/").split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

/** @type {import("./stores/store.js").Store<Location>} */
export const route = createStore(read());

window.addEventListener("hashchange", () => route.set(read()));

/** @param {string} path */
export function navigate(path) {
  location.hash = `#${path}`;
}

/**
 * Matches `/history/:id` against `/history/abc`: the parameters, or null.
 * @param {string} pattern
 * @param {string} path
 * @returns {Record<string, string> | null}
 */
export function match(pattern, path) {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

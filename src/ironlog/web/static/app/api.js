// The one API client: every network call of the app goes through here. It keeps the access
// token in memory only (the refresh token is an HttpOnly cookie JavaScript cannot read),
// refreshes it before it expires and once on a 401, and sends ETags and idempotency keys.

const BASE = "/api/v1";
const SESSION_HEADER = { "X-IronLog-Session": "cookie" };
const REFRESH_MARGIN_SECONDS = 60;

/** An answer other than 2xx: `problem` is the RFC 9457 body (with its stable `code`). */
export class ApiError extends Error {
  /** @param {number} status @param {any} problem */
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = /** @type {string} */ (this.problem.code || "");
  }
}

/** No answer at all: offline, or the server is unreachable. */
export class OfflineError extends Error {}

/** @type {string | null} */
let accessToken = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;
/** @type {Promise<boolean> | null} */
let refreshing = null;
/** @type {(() => void) | null} */
let onSignedOut = null;

/** @param {() => void} callback called when the server says the session is over */
export function setSignedOutHandler(callback) {
  onSignedOut = callback;
}

export function hasAccessToken() {
  return accessToken !== null;
}

/** @param {{ access_token: string, expires_in: number }} tokens */
function keep(tokens) {
  accessToken = tokens.access_token;
  clearTimeout(refreshTimer);
  const delay = Math.max(5, tokens.expires_in - REFRESH_MARGIN_SECONDS) * 1000;
  refreshTimer = setTimeout(() => void refresh(), delay);
}

export function forget() {
  accessToken = null;
  clearTimeout(refreshTimer);
}

/**
 * @typedef {{ body?: any, form?: FormData, ifMatch?: string | null, idempotencyKey?: string,
 *             headers?: Record<string, string>, auth?: boolean, retried?: boolean,
 *             raw?: boolean, keepalive?: boolean }} RequestOptions
 * @typedef {{ status: number, data: any, etag: string | null, headers: Headers }} Answer
 */

/**
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {RequestOptions} [options]
 * @returns {Promise<Answer>}
 */
export async function request(method, path, options = {}) {
  if (options.auth !== false && accessToken === null) {
    // Signed in from the device (the app started offline): a token first. Without one a
    // public route (the exercise library) would answer as to a stranger, and every other
    // route would cost a 401 and a second try.
    if (!(await refresh())) throw new ApiError(401, { code: "not_authenticated" });
  }
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...options.headers };
  if (options.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  if (options.ifMatch) headers["If-Match"] = options.ifMatch;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  /** @type {BodyInit | undefined} */
  let body;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body,
      credentials: "same-origin",
      keepalive: options.keepalive,
    });
  } catch {
    throw new OfflineError("offline");
  }
  if (response.status === 401 && options.auth !== false && !options.retried) {
    if (await refresh()) return request(method, path, { ...options, retried: true });
  }
  const data = options.raw && response.ok ? await response.blob() : await readJson(response);
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data, etag: response.headers.get("etag"), headers: response.headers };
}

/**
 * The JSON body of an answer, or null: a 204 (every DELETE) or any other empty body has none,
 * and an error page that is not JSON is no problem document.
 * @param {Response} response
 */
async function readJson(response) {
  const type = response.headers.get("content-type") || "";
  if (response.status === 204 || response.status === 304 || !type.includes("json")) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    if (response.ok) throw new ApiError(response.status, { code: "invalid_response" });
    return null;
  }
}

/** @param {string} path @param {RequestOptions} [options] */
export const get = (path, options) => request("GET", path, options).then((answer) => answer.data);

/**
 * A new access token from the refresh cookie. True when signed in; false when the server says
 * the session is over; an OfflineError when it cannot be asked. One at a time: callers that
 * ask meanwhile share the answer.
 * @returns {Promise<boolean>}
 */
export function refresh() {
  // Reset once settled: `finally` calls back after the assignment, even for a settled promise.
  refreshing ??= renew().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function renew() {
  try {
    // Each refresh replaces the cookie, and presenting a replaced one ends the session.
    // `keepalive`: a page left while its refresh is on its way (a reload) still gets the new
    // cookie; cancelled, the refresh would have replaced it on the server all the same, and
    // the next page, presenting the old one, would be signed out.
    const answer = await request("POST", "/auth/refresh", {
      body: {},
      headers: SESSION_HEADER,
      auth: false,
      keepalive: true,
    });
    keep(answer.data);
    return true;
  } catch (error) {
    if (error instanceof OfflineError) throw error;
    forget();
    onSignedOut?.();
    return false;
  }
}

/** @param {{ email: string, password: string, name: string, invite?: string }} account */
export async function register(account) {
  const answer = await request("POST", "/auth/register", {
    body: account,
    headers: SESSION_HEADER,
    auth: false,
  });
  keep(answer.data.tokens);
  return answer.data.user;
}

/** @param {{ email: string, password: string }} credentials */
export async function login(credentials) {
  const answer = await request("POST", "/auth/login", {
    body: credentials,
    headers: SESSION_HEADER,
    auth: false,
  });
  keep(answer.data);
}

/** Ends this browser's session (the server clears the cookie). */
export async function logout() {
  try {
    await request("POST", "/auth/logout", { body: {}, headers: SESSION_HEADER, auth: false });
  } finally {
    forget();
  }
}

/** Ends every session of the account, this one included. */
export async function logoutEverywhere() {
  try {
    await request("POST", "/auth/logout-all", { headers: SESSION_HEADER });
  } finally {
    forget();
  }
}

/**
 * Whether the server offers a route (features being rolled out: preferences, routines, sync).
 * @param {string} path
 */
export async function exists(path) {
  try {
    await request("GET", path);
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return false;
    throw error;
  }
}

// Who is signed in. The access token lives in api.js's memory; the user (and only the user) is
// kept on the device so the app opens signed in without a connection.
import * as api from "../api.js";
import * as db from "../db.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ id: string, email: string, name: string, has_password?: boolean,
 *             google_linked?: boolean, is_admin?: boolean }} User
 * @typedef {{ status: "loading" | "signed-in" | "signed-out", user: User | null,
 *             online: boolean }} SessionState
 */

/** @type {import("./store.js").Store<SessionState>} */
export const session = createStore(
  /** @type {SessionState} */ ({ status: "loading", user: null, online: navigator.onLine }),
);

api.setSignedOutHandler(() => {
  if (session.get().status === "signed-in") session.set({ status: "signed-out" });
});

/** On start: a new access token from the cookie, or the user remembered offline. */
export async function start() {
  /** @type {User | undefined} */
  const remembered = await db.get("kv", "user");
  try {
    if (await api.refresh()) {
      await signedIn(await api.get("/users/me"));
      return;
    }
    session.set({ status: "signed-out", user: null });
  } catch (error) {
    if (!(error instanceof api.OfflineError)) throw error;
    session.set(remembered ? { status: "signed-in", user: remembered } : { status: "signed-out" });
  }
}

/** @param {User} user */
export async function signedIn(user) {
  const previous = /** @type {User | undefined} */ (await db.get("kv", "user"));
  // Another account on this device: nothing of the previous one may leak into this one.
  if (previous && previous.id !== user.id) await db.clearAll();
  await db.put("kv", user, "user");
  session.set({ status: "signed-in", user });
}

/** @param {{ email: string, password: string }} credentials */
export async function signIn(credentials) {
  await api.login(credentials);
  await signedIn(await api.get("/users/me"));
}

/** @param {{ email: string, password: string, name: string, invite?: string }} account */
export async function signUp(account) {
  await signedIn(await api.register(account));
}

/** @param {{ everywhere?: boolean }} [options] */
export async function signOut(options = {}) {
  try {
    await (options.everywhere ? api.logoutEverywhere() : api.logout());
  } finally {
    await db.clearAll();
    session.set({ status: "signed-out", user: null });
  }
}

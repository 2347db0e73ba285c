// Body weight (the server's body measurements): a local copy fed by the sync feed, so the list
// and the chart show offline. Logging and deleting an entry need a connection, like routines.
import * as api from "../api.js";
import * as db from "../db.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ id: string, date: string, weight_kg: number | null, [field: string]: any }} Measurement
 * @typedef {{ entries: Measurement[] }} BodyState
 */

/** @type {import("./store.js").Store<BodyState>} entries newest date first */
export const body = createStore(/** @type {BodyState} */ ({ entries: [] }));

/** What an entry holds besides the body weight: a new weight keeps them (PUT replaces the whole). */
const KEPT = ["body_fat_pct", "neck", "chest", "waist", "hips", "arm_left", "arm_right", "thigh_left",
  "thigh_right", "calf_left", "calf_right", "notes"];

export async function load() {
  const entries = /** @type {Measurement[]} */ (await db.getAll("measurements"));
  body.set({ entries: entries.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0)) });
}

/** Reads the newest entries (a server without the sync feed). */
export async function pullWithoutFeed() {
  const entries = [];
  for (let page = 1; page <= 5; page += 1) {
    const data = await api.get(`/body-measurements?size=100&page=${page}`);
    entries.push(...data.items);
    if (page >= data.pages) break;
  }
  await db.transaction(["measurements"], "readwrite", (tx) => {
    const store = tx.objectStore("measurements");
    store.clear();
    for (const entry of entries) store.put(entry);
  });
}

/** The device's date today, as the server keys entries (`YYYY-MM-DD`, local). */
export function today() {
  const now = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Logs the body weight of a date; what else that date's entry holds is kept.
 * @param {string} date YYYY-MM-DD
 * @param {number} weightKg
 */
export async function logWeight(date, weightKg) {
  const local = body.get().entries.find((entry) => entry.date === date);
  // The server's entry, not the copy (it may not have another device's change yet): PUT
  // replaces the whole entry, and what else it holds must stay.
  /** @type {Measurement | null} */
  let existing = null;
  try {
    existing = await api.get(`/body-measurements/${date}`);
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  /** @type {Record<string, any>} */
  const payload = { weight_kg: weightKg };
  for (const field of KEPT) if (existing && existing[field] != null) payload[field] = existing[field];
  const answer = await api.request("PUT", `/body-measurements/${date}`, { body: payload });
  await db.transaction(["measurements"], "readwrite", (tx) => {
    const store = tx.objectStore("measurements");
    if (local && local.id !== answer.data.id) store.delete(local.id);
    store.put(answer.data);
  });
  await load();
}

/** @param {Measurement} entry */
export async function remove(entry) {
  try {
    await api.request("DELETE", `/body-measurements/${entry.date}`);
  } catch (error) {
    // Deleted meanwhile elsewhere: it is gone all the same.
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  await db.remove("measurements", entry.id);
  await load();
}

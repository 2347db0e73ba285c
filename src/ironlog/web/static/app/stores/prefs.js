// The lifter's preferences: units, time zone, week start, rest and the plates in their gym.
// Read from the server and kept on the device; until a server offers preferences they are kept
// on the device only. The sync feed brings them too (another device changed them).
import * as api from "../api.js";
import * as db from "../db.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ weight_unit: "kg" | "lb", distance_unit: "km" | "mi", timezone: string,
 *             week_starts_on: "monday" | "sunday", default_rest_seconds: number,
 *             bar_weight_kg: number, plates_kg: number[] }} Preferences
 */

/** @type {Preferences} */
export const DEFAULTS = {
  weight_unit: "kg",
  distance_unit: "km",
  timezone: "UTC",
  week_starts_on: "monday",
  default_rest_seconds: 120,
  bar_weight_kg: 20,
  plates_kg: [25, 20, 15, 10, 5, 2.5, 1.25],
};

const PATH = "/users/me/preferences";

/** @type {import("./store.js").Store<Preferences & { remote: boolean }>} */
export const prefs = createStore(
  /** @type {Preferences & { remote: boolean }} */ ({ ...DEFAULTS, remote: false }),
);

/** The first read from the server: a change made meanwhile waits for it (else it would be lost). */
/** @type {Promise<void> | null} */
let loading = null;
/** Counts the lifter's changes: a feed page read before one must not put the old values back. */
let changes = 0;

export function load() {
  loading = (async () => {
    const kept = await db.get("kv", "prefs");
    if (kept) prefs.set(kept);
    const before = changes;
    try {
      const remote = await api.get(PATH);
      if (changes === before) await keep({ ...DEFAULTS, ...remote, remote: true });
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 404) prefs.set({ remote: false });
      else if (!(error instanceof api.OfflineError)) throw error;
    }
  })();
  return loading;
}

/** @param {Partial<Preferences>} change */
export async function update(change) {
  await loading?.catch(() => {});
  changes += 1;
  if (prefs.get().remote) {
    await keep({ ...DEFAULTS, ...(await api.request("PATCH", PATH, { body: change })).data, remote: true });
  } else {
    await keep({ ...prefs.get(), ...change });
  }
}

/** A mark taken before reading the sync feed, for `fromFeed`. */
export function mark() {
  return changes;
}

/**
 * The preferences as the sync feed brings them (an `upsert` of the `preferences` entity), unless
 * the lifter changed them on this device since the feed was read (`since`, from `mark()`).
 * @param {any} data the feed's `data`: what `GET /users/me/preferences` returns
 * @param {number} since
 */
export async function fromFeed(data, since) {
  if (!data || typeof data !== "object" || changes !== since) return;
  await keep({ ...DEFAULTS, ...data, remote: true });
}

/** @param {Preferences & { remote: boolean }} value */
async function keep(value) {
  prefs.set(value);
  await db.put("kv", prefs.get(), "prefs");
}

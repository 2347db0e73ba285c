// The lifter's preferences: units, time zone, week start, rest and the plates in their gym.
// Read from the server and kept on the device; until a server offers preferences they are kept
// on the device only.
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

export async function load() {
  const kept = await db.get("kv", "prefs");
  if (kept) prefs.set(kept);
  try {
    const remote = await api.get(PATH);
    await keep({ ...remote, remote: true });
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) prefs.set({ remote: false });
    else if (!(error instanceof api.OfflineError)) throw error;
  }
}

/** @param {Partial<Preferences>} change */
export async function update(change) {
  if (prefs.get().remote) {
    await keep({ ...(await api.request("PATCH", PATH, { body: change })).data, remote: true });
  } else {
    await keep({ ...prefs.get(), ...change });
  }
}

/** @param {Preferences & { remote: boolean }} value */
async function keep(value) {
  prefs.set(value);
  await db.put("kv", prefs.get(), "prefs");
}

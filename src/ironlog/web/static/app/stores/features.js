// What this server offers, read from its OpenAPI document: features being rolled out (sync,
// preferences, routines, supersets, body measurements) are used once they are there.
import * as db from "../db.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ sync: boolean, routines: boolean, superset: boolean, bodyMeasurements: boolean,
 *             google: boolean }} Features
 */

/** @type {import("./store.js").Store<Features>} */
export const features = createStore({
  sync: false,
  routines: false,
  superset: false,
  bodyMeasurements: false,
  google: false,
});

export async function load() {
  const kept = await db.get("kv", "features");
  if (kept) features.set(kept);
  try {
    const [document, config] = await Promise.all([
      fetch("/openapi.json").then((response) => response.json()),
      fetch("/api/v1/auth/config").then((response) => (response.ok ? response.json() : null)),
    ]);
    const paths = document.paths || {};
    const execution = document.components?.schemas?.ExecutionWrite?.properties || {};
    features.set({
      sync: "/api/v1/sync" in paths,
      routines: "/api/v1/routines" in paths,
      superset: "superset" in execution,
      bodyMeasurements: "/api/v1/body-measurements" in paths,
      google: Boolean(config?.google_enabled),
    });
    await db.put("kv", features.get(), "features");
  } catch {
    // Offline: what was known last time stays.
  }
}

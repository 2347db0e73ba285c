// What this server offers, read from its OpenAPI document: features being rolled out (sync,
// preferences, routines, supersets, body measurements) are used once they are there.
import * as db from "../db.js";
import { setWeightStep } from "../units.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ sync: boolean, routines: boolean, superset: boolean, bodyMeasurements: boolean,
 *             google: boolean, weightStepKg: number }} Features
 */

/** @type {import("./store.js").Store<Features>} */
export const features = createStore(/** @type {Features} */ ({
  sync: false,
  routines: false,
  superset: false,
  bodyMeasurements: false,
  google: false,
  weightStepKg: 0.001,
}));

// The document is large (about 170 KB): read again only for a new build of the app (a server
// upgrade) or after a while.
const RECHECK_MS = 12 * 3600 * 1000;
const BUILD = new URL(import.meta.url).pathname.split("/")[2];

export async function load() {
  const kept = await db.get("kv", "features");
  if (kept) {
    const { checkedAt, build, ...known } = kept;
    features.set(known);
    setWeightStep(features.get().weightStepKg);
    if (build === BUILD && Date.now() - checkedAt < RECHECK_MS) return;
  }
  try {
    const [document, config] = await Promise.all([
      fetch("/openapi.json").then((response) => response.json()),
      fetch("/api/v1/auth/config").then((response) => (response.ok ? response.json() : null)),
    ]);
    const paths = document.paths || {};
    const schemas = document.components?.schemas || {};
    const execution = schemas.ExecutionWrite?.properties || {};
    const weight = schemas.SetWrite?.properties?.weight_kg;
    const step = (weight?.anyOf || [weight]).find((/** @type {any} */ s) => s?.multipleOf)?.multipleOf;
    features.set({
      sync: "/api/v1/sync" in paths,
      routines: "/api/v1/routines" in paths,
      superset: "superset" in execution,
      bodyMeasurements: "/api/v1/body-measurements" in paths,
      google: Boolean(config?.google_enabled),
      weightStepKg: step || 0.001,
    });
    setWeightStep(features.get().weightStepKg);
    await db.put("kv", { ...features.get(), checkedAt: Date.now(), build: BUILD }, "features");
  } catch {
    // Offline: what was known last time stays.
  }
}

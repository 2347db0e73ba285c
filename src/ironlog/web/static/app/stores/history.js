// The local copy of the lifter's workouts, exercises, routines, folders, body weights and
// preferences: history, "last time", charts, routines and the exercise search all read it, so
// they work offline. Kept fresh by the server's change feed (GET /sync) when the server has
// one, else by reading the newest workouts (and the routines and body weights) again.
import * as api from "../api.js";
import * as db from "../db.js";
import * as body from "./body.js";
import { features } from "./features.js";
import * as prefs from "./prefs.js";
import * as routines from "./routines.js";
import { createStore } from "./store.js";

const PAGES_WITHOUT_FEED = 5; // 500 workouts: years of training for most lifters

/**
 * @typedef {{ id: string, name: string, body_part: string, modality: string,
 *             is_system?: boolean, description?: string | null }} Exercise
 * @typedef {{ workouts: any[], exercises: Exercise[], refreshing: boolean,
 *             error: string | null }} HistoryState
 */

/** @type {import("./store.js").Store<HistoryState>} */
export const history = createStore(
  /** @type {HistoryState} */ ({ workouts: [], exercises: [], refreshing: false, error: null }),
);

/** @param {any} a @param {any} b */
const newestFirst = (a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0);

export async function load() {
  const [workouts, exercises] = await Promise.all([db.getAll("history"), db.getAll("exercises")]);
  history.set({ workouts: workouts.sort(newestFirst), exercises: sortByName(exercises) });
}

/** @param {Exercise[]} exercises */
function sortByName(exercises) {
  return exercises.sort((a, b) => a.name.localeCompare(b.name));
}

/** Brings the local copy up to date; quietly does nothing offline. */
export async function refresh() {
  if (history.get().refreshing) return;
  history.set({ refreshing: true, error: null });
  try {
    await refreshExercises();
    await pull();
  } catch (error) {
    if (!(error instanceof api.OfflineError)) history.set({ error: String(error) });
  } finally {
    history.set({ refreshing: false });
  }
}

/** @type {Promise<void>} */
let pulling = Promise.resolve();

/**
 * What changed on the server (the feed, else the newest objects), into the local copy and the
 * stores. Pulls run one after the other, and one asked for during another runs after it, so
 * it sees the change that asked for it. Throws an OfflineError offline.
 */
export function pull() {
  const next = pulling.catch(() => {}).then(async () => {
    if (features.get().sync) await pullFeed();
    else await pullWithoutFeed();
    await Promise.all([load(), routines.load(), body.load()]);
  });
  pulling = next;
  return next;
}

/** `pull`, quietly: after a change made on this device, for what it did to other objects. */
export function pullQuietly() {
  pull().catch(() => {});
}

async function pullWithoutFeed() {
  await pullNewest();
  const { routines: hasRoutines, bodyMeasurements } = features.get();
  if (hasRoutines) await routines.pullWithoutFeed();
  if (bodyMeasurements) await body.pullWithoutFeed();
}

async function refreshExercises() {
  const all = [];
  for (let page = 1; ; page += 1) {
    const data = await api.get(`/exercises?size=100&page=${page}`);
    all.push(...data.items);
    if (page >= data.pages) break;
  }
  await db.transaction(["exercises"], "readwrite", (tx) => {
    const store = tx.objectStore("exercises");
    store.clear();
    for (const exercise of all) store.put(exercise);
  });
}

async function pullNewest() {
  const workouts = [];
  for (let page = 1; page <= PAGES_WITHOUT_FEED; page += 1) {
    const data = await api.get(`/workouts?size=100&page=${page}`);
    workouts.push(...data.items);
    if (page >= data.pages) break;
  }
  const drafts = new Set((await db.getAll("drafts")).map((draft) => draft.id));
  await db.transaction(["history"], "readwrite", async (tx) => {
    const store = tx.objectStore("history");
    const kept = /** @type {any[]} */ (await db.settle(store.getAll()));
    store.clear();
    for (const workout of kept) if (drafts.has(workout.id)) store.put(workout);
    for (const workout of workouts) store.put(workout);
  });
}

/** The entity of the feed, to the object store of its local copy. */
const LOCAL_STORES = /** @type {Record<string, string>} */ ({
  workout: "history",
  exercise: "exercises",
  routine: "routines",
  routine_folder: "folders",
  body_measurement: "measurements",
});
/** What a reset (a new snapshot) clears: every copy the snapshot fills again. */
const RESET = ["history", "routines", "folders", "measurements"];

async function pullFeed() {
  let cursor = /** @type {string | undefined} */ (await db.get("kv", "sync-cursor"));
  for (;;) {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}&limit=500` : "?limit=500";
    const mark = prefs.mark();
    const page = await api.get(`/sync${query}`);
    /** @type {any} */
    let preferences = null;
    await db.transaction(["kv", ...Object.values(LOCAL_STORES)], "readwrite", (tx) => {
      if (page.reset) for (const name of RESET) tx.objectStore(name).clear();
      for (const change of page.changes) {
        if (change.entity === "preferences") {
          if (change.op !== "delete") preferences = change.data;
          continue;
        }
        const store = LOCAL_STORES[change.entity];
        if (!store) continue; // a kind of object this version of the app does not know yet
        if (change.op === "delete") tx.objectStore(store).delete(change.id);
        else tx.objectStore(store).put(change.data);
      }
      tx.objectStore("kv").put(page.cursor, "sync-cursor");
    });
    if (preferences) await prefs.fromFeed(preferences, mark);
    cursor = page.cursor;
    if (!page.has_more) break;
  }
}

/**
 * A workout finished on this device, shown in history before the server has it.
 * @param {import("../model.js").LocalWorkout} workout
 */
export async function keepLocal(workout) {
  const copy = {
    ...workout,
    exercises: workout.exercises.map((execution, position) => ({
      ...execution,
      position,
      sets: execution.sets.map((set, index) => ({ ...set, id: set.key, position: index })),
    })),
  };
  await db.put("history", copy);
  await load();
}

/** @param {string} workoutId */
export async function forget(workoutId) {
  await db.remove("history", workoutId);
  await load();
}

/** @param {Exercise} exercise */
export async function keepExercise(exercise) {
  await db.put("exercises", exercise);
  await load();
}

/**
 * The sets of an exercise the last time it was done (before `exceptWorkoutId`).
 * @param {string} exerciseId
 * @param {string} [exceptWorkoutId]
 * @returns {any[]}
 */
export function lastTime(exerciseId, exceptWorkoutId) {
  for (const workout of history.get().workouts) {
    if (workout.id === exceptWorkoutId) continue;
    const execution = workout.exercises.find((/** @type {any} */ e) => e.exercise_id === exerciseId);
    if (execution && execution.sets.length) return execution.sets;
  }
  return [];
}

/**
 * Every session of one exercise, newest first.
 * @param {string} exerciseId
 * @returns {{ workout: any, sets: any[] }[]}
 */
export function sessionsOf(exerciseId) {
  const sessions = [];
  for (const workout of history.get().workouts) {
    const execution = workout.exercises.find((/** @type {any} */ e) => e.exercise_id === exerciseId);
    if (execution) sessions.push({ workout, sets: execution.sets });
  }
  return sessions;
}

/**
 * Exercises for the search: the ones used recently and often first, then the library by name.
 * @param {string} query
 */
export function searchExercises(query) {
  const needle = query.trim().toLowerCase();
  /** @type {Map<string, number>} */
  const score = new Map();
  history.get().workouts.slice(0, 60).forEach((workout, index) => {
    for (const execution of workout.exercises) {
      score.set(execution.exercise_id, (score.get(execution.exercise_id) ?? 0) + 100 - index);
    }
  });
  return history
    .get()
    .exercises.filter((exercise) => !needle || exercise.name.toLowerCase().includes(needle))
    .sort((a, b) => (score.get(b.id) ?? 0) - (score.get(a.id) ?? 0) || a.name.localeCompare(b.name));
}

// The lifter's routines (workout templates) and their folders: a local copy fed by the sync feed
// (stores/history.js pulls it), so they read and show offline. Changing them needs a
// connection: each change is one API call whose answer goes into the local copy at once; the
// screens say so when offline instead of queueing (see docs/web-app.md).
import * as api from "../api.js";
import * as db from "../db.js";
import { createStore } from "./store.js";

/**
 * @typedef {{ set_type: string, weight_kg: number | null, reps: number | null,
 *             rep_range?: { min: number, max: number } | null, duration_seconds?: number | null,
 *             distance_m?: number | null, rpe?: number | null }} RoutineSet
 * @typedef {{ exercise_id: string, exercise: import("../model.js").ExerciseRef,
 *             notes: string | null, rest_seconds: number | null, superset: number | null,
 *             progression?: { increment_kg: number } | null, sets: RoutineSet[] }} RoutineExercise
 * @typedef {{ id: string, name: string, notes: string | null, folder_id: string | null,
 *             position: number, exercises: RoutineExercise[] }} Routine
 * @typedef {{ id: string, name: string, position: number }} Folder
 * @typedef {{ routines: Routine[], folders: Folder[] }} RoutinesState
 */

/** @type {import("./store.js").Store<RoutinesState>} */
export const routines = createStore(/** @type {RoutinesState} */ ({ routines: [], folders: [] }));

/** @param {{ position: number, name: string }} a @param {{ position: number, name: string }} b */
const byPosition = (a, b) => a.position - b.position || a.name.localeCompare(b.name);

export async function load() {
  const [all, folders] = await Promise.all([db.getAll("routines"), db.getAll("folders")]);
  routines.set({ routines: all.sort(byPosition), folders: folders.sort(byPosition) });
}

/** @param {string} id */
export function find(id) {
  return routines.get().routines.find((routine) => routine.id === id) ?? null;
}

/** Reads every routine and folder (a server without the sync feed). */
export async function pullWithoutFeed() {
  const [all, folders] = await Promise.all([readAll("/routines"), readAll("/routine-folders")]);
  await db.transaction(["routines", "folders"], "readwrite", (tx) => {
    const routineStore = tx.objectStore("routines");
    const folderStore = tx.objectStore("folders");
    routineStore.clear();
    folderStore.clear();
    for (const routine of all) routineStore.put(routine);
    for (const folder of folders) folderStore.put(folder);
  });
}

/** @param {string} path */
async function readAll(path) {
  const all = [];
  for (let page = 1; page <= 10; page += 1) {
    const data = await api.get(`${path}?size=100&page=${page}`);
    all.push(...data.items);
    if (page >= data.pages) break;
  }
  return all;
}

/** @param {Routine} routine */
async function keep(routine) {
  await db.put("routines", routine);
  await load();
}

/**
 * The body of a create or replace: the routine as the API takes it.
 * @param {Omit<Routine, "id" | "position"> & { id?: string }} routine
 */
export function toWriteBody(routine) {
  return {
    name: routine.name.trim(),
    notes: routine.notes?.trim() || null,
    folder_id: routine.folder_id,
    exercises: normalizeSupersets(routine.exercises).map((execution) => ({
      exercise_id: execution.exercise_id,
      notes: execution.notes,
      rest_seconds: execution.rest_seconds,
      superset: execution.superset,
      progression: execution.progression ?? null,
      sets: execution.sets.map((set) => ({
        set_type: set.set_type,
        weight_kg: set.weight_kg,
        reps: set.reps,
        rep_range: set.rep_range ?? null,
        duration_seconds: set.duration_seconds ?? null,
        distance_m: set.distance_m ?? null,
        rpe: set.rpe ?? null,
      })),
    })),
  };
}

/**
 * Supersets as the API takes a whole tree: each number on two or more adjacent exercises. A
 * number left alone (its partner removed or moved away) is dropped; numbers read 1, 2, ... in order.
 * @template {{ superset: number | null }} T
 * @param {T[]} exercises
 * @returns {T[]}
 */
export function normalizeSupersets(exercises) {
  /** @type {T[]} */
  const result = [];
  let next = 1;
  for (let i = 0; i < exercises.length; ) {
    const group = exercises[i].superset;
    let end = i + 1;
    while (group !== null && end < exercises.length && exercises[end].superset === group) end += 1;
    const number = group !== null && end - i >= 2 ? next++ : null;
    for (let k = i; k < end; k += 1) result.push({ ...exercises[k], superset: number });
    i = end;
  }
  return result;
}

/**
 * Creates (no etag) or replaces a routine; the answer goes into the local copy.
 * @param {Omit<Routine, "id" | "position"> & { id?: string }} routine
 * @param {{ create: boolean, etag?: string | null }} how
 * @returns {Promise<{ routine: Routine, etag: string | null }>}
 */
export async function save(routine, how) {
  const body = toWriteBody(routine);
  const answer = how.create
    ? await api.request("POST", "/routines", { body: { id: routine.id ?? db.uuid(), ...body } })
    : await api.request("PUT", `/routines/${routine.id}`, { body, ifMatch: how.etag ?? null });
  await keep(answer.data);
  return { routine: answer.data, etag: answer.etag };
}

/** @param {string} id @returns {Promise<{ routine: Routine, etag: string | null }>} */
export async function read(id) {
  const answer = await api.request("GET", `/routines/${id}`);
  await keep(answer.data);
  return { routine: answer.data, etag: answer.etag };
}

/** @param {string} id @param {string | null} folderId */
export async function moveToFolder(id, folderId) {
  const answer = await api.request("PATCH", `/routines/${id}`, { body: { folder_id: folderId } });
  await keep(answer.data);
}

/** @param {string} id @param {string | null} [etag] */
export async function remove(id, etag) {
  await api.request("DELETE", `/routines/${id}`, { ifMatch: etag ?? null });
  await db.remove("routines", id);
  await load();
}

/** @param {string} name */
export async function createFolder(name) {
  const answer = await api.request("POST", "/routine-folders", { body: { id: db.uuid(), name: name.trim() } });
  await db.put("folders", answer.data);
  await load();
  return /** @type {Folder} */ (answer.data);
}

/** @param {string} id @param {string} name */
export async function renameFolder(id, name) {
  const answer = await api.request("PATCH", `/routine-folders/${id}`, { body: { name: name.trim() } });
  await db.put("folders", answer.data);
  await load();
}

/** Deletes a folder; its routines leave it (as the server does). @param {string} id */
export async function removeFolder(id) {
  await api.request("DELETE", `/routine-folders/${id}`);
  await db.transaction(["routines", "folders"], "readwrite", async (tx) => {
    tx.objectStore("folders").delete(id);
    const store = tx.objectStore("routines");
    const all = /** @type {Routine[]} */ (await db.settle(store.getAll()));
    for (const routine of all) if (routine.folder_id === id) store.put({ ...routine, folder_id: null });
  });
  await load();
}

/**
 * A finished workout as a new routine (the server copies its exercises, supersets and sets).
 * @param {string} workoutId @param {string} name @param {string | null} folderId
 * @returns {Promise<Routine>}
 */
export async function saveWorkout(workoutId, name, folderId) {
  const answer = await api.request("POST", `/workouts/${workoutId}/save-as-routine`, {
    body: { name: name.trim(), folder_id: folderId },
  });
  await keep(answer.data);
  return answer.data;
}

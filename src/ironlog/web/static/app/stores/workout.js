// The workout being logged (or edited): every change is applied to the screen at once, then
// saved on the device and queued for the server by the outbox.
import * as api from "../api.js";
import * as db from "../db.js";
import { fromServer, newSet, toReplaceBody } from "../model.js";
import { features } from "./features.js";
import * as history from "./history.js";
import { adoptEtag, commit, outbox, setSyncedHandler } from "./outbox.js";
import { createStore } from "./store.js";

/** @typedef {import("../model.js").LocalWorkout} LocalWorkout */

/** @type {import("./store.js").Store<{ active: LocalWorkout | null, loaded: boolean }>} */
export const current = createStore(
  /** @type {{ active: LocalWorkout | null, loaded: boolean }} */ ({ active: null, loaded: false }),
);

// What the server answered goes into the local copy of the history.
setSyncedHandler(async (workoutId, server) => {
  await db.transaction(["history"], "readwrite", (tx) => {
    if (server?.id) tx.objectStore("history").put(server);
    else if (!server) tx.objectStore("history").delete(workoutId);
  });
});

/** The workout in progress on this device, if any. */
export async function load() {
  const drafts = /** @type {LocalWorkout[]} */ (await db.getAll("drafts"));
  const active = drafts.find((draft) => draft.status === "in_progress") ?? null;
  current.set({ active, loaded: true });
}

/** @param {string} name */
export async function start(name) {
  /** @type {LocalWorkout} */
  const workout = {
    id: db.uuid(),
    name,
    notes: null,
    status: "in_progress",
    started_at: new Date().toISOString(),
    finished_at: null,
    exercises: [],
  };
  current.set({ active: workout });
  await commit(workout, workout.id, {
    kind: "create",
    workoutId: workout.id,
    key: db.uuid(),
    body: { id: workout.id, name, started_at: workout.started_at, exercises: [] },
  });
  return workout;
}

/** A routine's workout, made by the server (this needs a connection). @param {string} routineId */
export async function startRoutine(routineId) {
  const answer = await api.request("POST", `/routines/${routineId}/start`, {
    body: {},
    idempotencyKey: db.uuid(),
  });
  return adopt(answer.data, answer.etag);
}

/**
 * A workout the server made or holds (started from a routine, or on another device) becomes
 * this device's workout in progress.
 * @param {any} server
 * @param {string | null} etag
 */
export async function adopt(server, etag) {
  const workout = fromServer(server);
  await adoptEtag(workout.id, etag);
  await commit(workout, workout.id, null);
  current.set({ active: workout });
  return workout;
}

/**
 * Applies `mutate` to a copy of the workout, shows it, saves it and queues the new tree.
 * @param {(workout: LocalWorkout) => void} mutate
 */
export function change(mutate) {
  const active = current.get().active;
  if (!active) return Promise.resolve();
  const workout = structuredClone(active);
  mutate(workout);
  current.set({ active: workout });
  return commit(workout, workout.id, {
    kind: "replace",
    workoutId: workout.id,
    key: db.uuid(),
    body: toReplaceBody(workout, features.get()),
  });
}

/** @param {import("../model.js").ExerciseRef} exercise @param {Partial<import("../model.js").LocalSet>[]} sets */
export function addExercise(exercise, sets) {
  return change((workout) => {
    if (workout.exercises.some((execution) => execution.exercise_id === exercise.id)) return;
    workout.exercises.push({
      exercise_id: exercise.id,
      exercise: { id: exercise.id, name: exercise.name, body_part: exercise.body_part, modality: exercise.modality },
      notes: null,
      superset: null,
      sets: (sets.length ? sets : [{}]).map((set) => newSet(set)),
    });
  });
}

/** Ends the workout: the summary screen shows it from history. */
export async function finish() {
  const active = current.get().active;
  if (!active) return null;
  const finishedAt = new Date().toISOString();
  const workout = { ...active, status: "finished", finished_at: finishedAt };
  current.set({ active: null });
  await history.keepLocal(workout);
  await commit(workout, workout.id, {
    kind: "finish",
    workoutId: workout.id,
    key: db.uuid(),
    finishedAt,
  });
  await forgetWhenSent(workout.id);
  return workout;
}

/** Drops the workout in progress (on the server too). */
export async function discard() {
  const active = current.get().active;
  if (!active) return;
  current.set({ active: null });
  await history.forget(active.id);
  await commit(null, active.id, { kind: "delete", workoutId: active.id, key: db.uuid() });
}

/** The finished workout's draft stays until its changes are sent, for their ETags. @param {string} workoutId */
async function forgetWhenSent(workoutId) {
  const unsubscribe = outbox.subscribe(async (state) => {
    if (state.pending === 0 && !state.sending) {
      unsubscribe();
      await db.remove("drafts", workoutId);
      await adoptEtag(workoutId, null);
    }
  });
}

/** Forget the active workout after a conflict settled it (or replaced it). @param {LocalWorkout | null} draft */
export function replaced(draft) {
  current.set({ active: draft && draft.status === "in_progress" ? draft : null });
}

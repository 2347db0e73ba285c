// The workout as the device holds it, and its translation to and from the API's shape.
import { uuid } from "./db.js";

/**
 * @typedef {{ key: string, set_type: string, weight_kg: number | null, reps: number | null,
 *             duration_seconds?: number | null, distance_m?: number | null,
 *             rpe: number | null, rest_seconds?: number | null, completed: boolean,
 *             notes: string | null }} LocalSet
 * @typedef {{ id: string, name: string, body_part: string, modality: string }} ExerciseRef
 * @typedef {{ exercise_id: string, exercise: ExerciseRef, notes: string | null,
 *             superset: number | null, sets: LocalSet[] }} LocalExecution
 * @typedef {{ id: string, name: string, notes: string | null, status: string,
 *             started_at: string, finished_at: string | null,
 *             routine_id?: string | null, exercises: LocalExecution[] }} LocalWorkout
 */

/** @param {Partial<LocalSet>} [values] @returns {LocalSet} */
export function newSet(values = {}) {
  return {
    key: uuid(),
    set_type: "normal",
    weight_kg: null,
    reps: null,
    rpe: null,
    completed: false,
    notes: null,
    ...values,
  };
}

/**
 * The server's workout (API shape) as the device keeps it.
 * @param {any} server
 * @returns {LocalWorkout}
 */
export function fromServer(server) {
  return {
    id: server.id,
    name: server.name,
    notes: server.notes,
    status: server.status,
    started_at: server.started_at,
    finished_at: server.finished_at,
    routine_id: server.routine_id ?? null,
    exercises: server.exercises.map((/** @type {any} */ execution) => ({
      exercise_id: execution.exercise_id,
      exercise: execution.exercise,
      notes: execution.notes,
      superset: execution.superset ?? null,
      sets: execution.sets.map((/** @type {any} */ set) => newSet({ ...set, key: set.id })),
    })),
  };
}

/** A set the server can take: it needs reps, a duration or a distance. @param {LocalSet} set */
export function isRecordable(set) {
  return set.reps !== null || (set.duration_seconds ?? null) !== null || (set.distance_m ?? null) !== null;
}

/**
 * The body of `PUT /workouts/{id}`: the whole tree.
 * @param {LocalWorkout} workout
 * @param {{ superset: boolean }} features
 */
export function toReplaceBody(workout, features) {
  return {
    name: workout.name,
    notes: workout.notes,
    started_at: workout.started_at,
    exercises: workout.exercises.map((execution) => ({
      exercise_id: execution.exercise_id,
      notes: execution.notes,
      ...(features.superset ? { superset: execution.superset } : {}),
      sets: execution.sets.filter(isRecordable).map((set) => ({
        set_type: set.set_type,
        weight_kg: set.weight_kg,
        reps: set.reps,
        duration_seconds: set.duration_seconds ?? null,
        distance_m: set.distance_m ?? null,
        rpe: set.rpe,
        rest_seconds: set.rest_seconds ?? null,
        completed: set.completed,
        notes: set.notes,
      })),
    })),
  };
}

/**
 * The parts of a tree both sides can compare: did the server store exactly what we sent?
 * @param {any} tree a replace body or a server workout
 */
export function fingerprint(tree) {
  return JSON.stringify({
    name: tree.name,
    notes: tree.notes ?? null,
    exercises: tree.exercises.map((/** @type {any} */ execution) => ({
      exercise_id: execution.exercise_id,
      notes: execution.notes ?? null,
      sets: execution.sets.map((/** @type {any} */ set) => [
        set.set_type,
        set.weight_kg === null ? null : Math.round(set.weight_kg * 1000),
        set.reps,
        set.rpe,
        set.completed,
        set.notes ?? null,
      ]),
    })),
  });
}

/** The name of a new workout, from the time of day. @param {Date} now @param {any} strings */
export function defaultName(now, strings) {
  const hour = now.getHours();
  if (hour < 11) return strings.morningWorkout;
  if (hour < 17) return strings.afternoonWorkout;
  return strings.eveningWorkout;
}

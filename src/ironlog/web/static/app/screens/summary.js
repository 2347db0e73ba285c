// After "Finish": the workout in numbers and the records it just set.
import { html } from "../html.js";
import { SaveAsRoutine } from "../components/save-routine.js";
import { Page } from "../components/ui.js";
import { t } from "../strings.js";
import { history } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { estimatedOneRepMax, formatDuration, formatWeight } from "../units.js";

/** @param {any} set */
const isWorking = (set) => set.completed && set.set_type !== "warmup";

/**
 * The best of each kind over some sets.
 * @param {any[]} sets
 */
export function bests(sets) {
  let heaviest = 0;
  let e1rm = 0;
  let reps = 0;
  for (const set of sets.filter(isWorking)) {
    if (set.reps) heaviest = Math.max(heaviest, set.weight_kg || 0);
    e1rm = Math.max(e1rm, estimatedOneRepMax(set.weight_kg, set.reps) || 0);
    reps = Math.max(reps, set.reps || 0);
  }
  return { heaviest, e1rm: Math.round(e1rm * 100) / 100, reps };
}

/**
 * Records this workout set: per exercise, each best that beats every earlier workout's.
 * @param {any} workout
 * @param {any[]} earlier workouts started before it
 */
export function recordsSet(workout, earlier) {
  const found = [];
  for (const execution of workout.exercises) {
    const mine = bests(execution.sets);
    const before = bests(
      earlier.flatMap((w) => w.exercises.filter((/** @type {any} */ e) => e.exercise_id === execution.exercise_id).flatMap((/** @type {any} */ e) => e.sets)),
    );
    const name = execution.exercise.name;
    if (mine.heaviest > before.heaviest) found.push({ name, kind: "heaviest", value: mine.heaviest });
    if (mine.e1rm > before.e1rm) found.push({ name, kind: "e1rm", value: mine.e1rm });
    if (mine.reps > before.reps) found.push({ name, kind: "reps", value: mine.reps });
  }
  return found;
}

/** @param {{ id: string }} props */
export function Summary({ id }) {
  const { workouts } = useStore(history);
  const { weight_unit: unit } = useStore(prefs);
  const workout = workouts.find((w) => w.id === id);
  if (!workout) return html`<${Page} title=${t.workoutComplete} back="/"><p>${t.notFound}</p><//>`;
  const sets = workout.exercises.flatMap((/** @type {any} */ e) => e.sets).filter(isWorking);
  const volume = sets.reduce((sum, /** @type {any} */ s) => sum + (s.weight_kg || 0) * (s.reps || 0), 0);
  const seconds = (Date.parse(workout.finished_at) - Date.parse(workout.started_at)) / 1000;
  const records = recordsSet(workout, workouts.filter((w) => w.id !== id && w.started_at < workout.started_at));
  /** @param {any} record */
  const value = (record) => (record.kind === "reps" ? `${record.value} ${t.reps.toLowerCase()}` : formatWeight(record.value, unit));
  const kinds = /** @type {Record<string, string>} */ ({ heaviest: t.heaviest, e1rm: t.bestE1rm, reps: t.mostReps });
  return html`<${Page} title=${t.workoutComplete}>
    <h2 class="section-title">${workout.name}</h2>
    <dl class="stats">
      <div><dt>${t.duration}</dt><dd>${formatDuration(seconds)}</dd></div>
      <div><dt>${t.sets}</dt><dd>${sets.length}</dd></div>
      <div><dt>${t.volume}</dt><dd>${formatWeight(volume, unit)}</dd></div>
    </dl>
    <h2 class="section-title">${t.newRecords}</h2>
    ${records.length === 0
      ? html`<p class="muted">${t.noNewRecords}</p>`
      : html`<ul class="list records">${records.map(
          (record) => html`<li class="record"><span class="trophy" aria-hidden="true">★</span>
            <span><strong>${record.name}</strong><br /><span class="muted">${kinds[record.kind]}</span></span>
            <strong>${value(record)}</strong></li>`,
        )}</ul>`}
    <${SaveAsRoutine} workout=${workout} />
    <a class="button primary wide big" href="#/">${t.goHome}</a>
  <//>`;
}

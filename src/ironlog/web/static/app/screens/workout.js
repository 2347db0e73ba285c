// One workout from history: its sets, and edit or delete with its ETag, so that a change made
// meanwhile on another device is shown instead of overwritten.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { SaveAsRoutine } from "../components/save-routine.js";
import { Message, Page, formatDate } from "../components/ui.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import * as historyStore from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { formatDuration, formatNumber, fromKg, parseNumber, toKg } from "../units.js";
import { fingerprint } from "../model.js";

/** @param {{ id: string }} props */
export function WorkoutDetail({ id }) {
  const { workouts } = useStore(historyStore.history);
  const { weight_unit: unit } = useStore(prefs);
  const [loaded, setLoaded] = useState(/** @type {{ data: any, etag: string | null } | null} */ (null));
  const [editing, setEditing] = useState(/** @type {any} */ (null));
  const [error, setError] = useState("");
  const [stale, setStale] = useState(false);
  const local = workouts.find((w) => w.id === id);

  const load = async () => {
    setStale(false);
    setError("");
    try {
      const answer = await api.request("GET", `/workouts/${id}`);
      setLoaded({ data: answer.data, etag: answer.etag });
    } catch (problem) {
      if (problem instanceof api.ApiError && problem.status === 404) setError(t.notFound);
      else if (!(problem instanceof api.OfflineError)) setError(errorMessage(problem));
    }
  };
  useEffect(() => void load(), [id]);

  const workout = loaded?.data ?? local;
  if (!workout) return html`<${Page} title=${t.navHistory} back="/history"><${Message} kind="error">${error}<//><//>`;

  const save = async () => {
    try {
      await saveEdit(id, /** @type {string} */ (loaded?.etag), editing);
      setEditing(null);
      await load();
      void historyStore.refresh();
    } catch (problem) {
      if (problem instanceof api.ApiError && problem.status === 412) setStale(true);
      else setError(errorMessage(problem));
    }
  };
  const remove = async () => {
    if (!window.confirm(t.confirmDelete)) return;
    try {
      await api.request("DELETE", `/workouts/${id}`, { ifMatch: loaded?.etag });
      await historyStore.forget(id);
      navigate("/history");
    } catch (problem) {
      if (problem instanceof api.ApiError && problem.status === 412) setStale(true);
      else setError(errorMessage(problem));
    }
  };
  const shown = editing ?? workout;
  const seconds = workout.finished_at ? (Date.parse(workout.finished_at) - Date.parse(workout.started_at)) / 1000 : null;
  const canEdit = Boolean(loaded) && workout.status === "finished";
  return html`<${Page}
    title=${workout.name}
    back="/history"
    actions=${editing
      ? html`<button type="button" class="button" onClick=${() => setEditing(null)}>${t.cancel}</button>
             <button type="button" class="button primary" onClick=${save}>${t.save}</button>`
      : canEdit && html`<button type="button" class="button" onClick=${() => setEditing(structuredClone(workout))}>${t.edit}</button>`}
  >
    <p class="muted">${formatDate(workout.started_at)}${seconds !== null ? ` · ${formatDuration(seconds)}` : ""}</p>
    ${stale && html`<div class="message message-error" role="alert">${t.changedElsewhere}
      <button type="button" class="button" onClick=${() => { setEditing(null); void load(); }}>${t.reload}</button></div>`}
    <${Message} kind="error">${error}<//>
    ${editing && html`<div class="field"><label for="edit-name">${t.workoutName}</label>
      <input id="edit-name" value=${editing.name} maxlength="100" onInput=${(/** @type {any} */ e) => setEditing({ ...editing, name: e.target.value })} /></div>`}
    ${shown.exercises.map((/** @type {any} */ execution, /** @type {number} */ ei) => html`<article class="exercise">
      <h2><a href=${`#/exercises/${execution.exercise_id}`}>${execution.exercise.name}</a>${execution.superset != null ? html` <span class="badge">${t.supersetLabel} ${execution.superset}</span>` : null}</h2>
      ${execution.notes && html`<p class="muted">${execution.notes}</p>`}
      <ol class="set-list">
        ${execution.sets.map((/** @type {any} */ set, /** @type {number} */ si) => html`<li class=${set.set_type}>
          <span class="set-kind">${t.setTypes[set.set_type]}</span>
          ${editing
            ? html`<input class="num" inputmode="decimal" aria-label=${`${t.weight} (${unit}), ${execution.exercise.name} ${si + 1}`}
                  value=${set.weight_kg === null ? "" : formatNumber(/** @type {number} */ (fromKg(set.weight_kg, unit)))}
                  onChange=${(/** @type {any} */ e) => { editing.exercises[ei].sets[si].weight_kg = toKg(parseNumber(e.target.value), unit); setEditing({ ...editing }); }} />
                <input class="num" inputmode="numeric" aria-label=${`${t.reps}, ${execution.exercise.name} ${si + 1}`} value=${set.reps ?? ""}
                  onChange=${(/** @type {any} */ e) => { const reps = parseNumber(e.target.value); editing.exercises[ei].sets[si].reps = reps === null ? null : Math.round(reps); setEditing({ ...editing }); }} />`
            : html`<span class="set-value">${set.weight_kg !== null ? `${formatNumber(/** @type {number} */ (fromKg(set.weight_kg, unit)))} ${unit} × ` : ""}${set.reps ?? ""}${set.rpe ? ` @ ${set.rpe}` : ""}</span>`}
        </li>`)}
      </ol>
    </article>`)}
    ${workout.notes && html`<p>${workout.notes}</p>`}
    ${workout.status === "finished" && !editing && html`<${SaveAsRoutine} workout=${workout} />`}
    ${loaded && !editing && html`<button type="button" class="button danger wide" onClick=${remove}>${t.delete}</button>`}
  <//>`;
}

/**
 * A finished workout is changed by reopening it, replacing its tree and finishing it again at
 * its own time. The ETag read with it guards the whole: a change made meanwhile is a 412.
 * @param {string} id
 * @param {string} etag
 * @param {any} edited
 */
async function saveEdit(id, etag, edited) {
  const path = `/workouts/${id}`;
  const fresh = await api.request("GET", path);
  if (fresh.etag !== etag) throw new api.ApiError(412, { code: "precondition_failed" });
  const body = {
    name: edited.name.trim() || fresh.data.name,
    notes: edited.notes,
    started_at: edited.started_at,
    exercises: edited.exercises.map((/** @type {any} */ e) => ({
      exercise_id: e.exercise_id,
      notes: e.notes,
      ...(e.superset != null ? { superset: e.superset } : {}),
      sets: e.sets
        .filter((/** @type {any} */ s) => s.reps !== null || s.duration_seconds !== null || s.distance_m !== null)
        .map((/** @type {any} */ s) => ({
          set_type: s.set_type, weight_kg: s.weight_kg, reps: s.reps, duration_seconds: s.duration_seconds,
          distance_m: s.distance_m, rpe: s.rpe, rest_seconds: s.rest_seconds, completed: s.completed, notes: s.notes,
        })),
    })),
  };
  if (fingerprint(body) === fingerprint(fresh.data)) return;
  const reopened = await api.request("POST", `${path}/reopen`, { body: {} });
  const replaced = await api.request("PUT", path, { body, ifMatch: reopened.etag });
  await api.request("POST", `${path}/finish`, { body: { finished_at: edited.finished_at }, ifMatch: replaced.etag });
}

// The routine editor: name, notes, folder, and the exercises (picked as in the logger) with their
// target sets (type, weight in the lifter's unit, reps), rest, supersets, order. Saving needs a
// connection; a change made meanwhile on another device is shown, never overwritten (If-Match).
import { html, useEffect, useRef, useState } from "../html.js";
import * as api from "../api.js";
import { ExercisePicker } from "../components/exercise-picker.js";
import { Dialog, Field, Message, Page, Select } from "../components/ui.js";
import * as db from "../db.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { lastTime, pullQuietly } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import * as store from "../stores/routines.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import { formatNumber, fromKg, parseNumber, toKg } from "../units.js";

/** @typedef {import("../stores/routines.js").Routine} Routine */
/** @typedef {import("../stores/routines.js").RoutineExercise} RoutineExercise */
/** @typedef {import("../stores/routines.js").RoutineSet} RoutineSet */
/** @typedef {{ id: string, name: string, notes: string | null, folder_id: string | null, exercises: RoutineExercise[] }} Draft */

/** @param {Routine} routine @returns {Draft} */
const toDraft = (routine) => ({
  id: routine.id,
  name: routine.name,
  notes: routine.notes,
  folder_id: routine.folder_id,
  exercises: structuredClone(routine.exercises),
});

/** @param {{ id?: string }} props `id` absent for a new routine */
export function RoutineEditor({ id }) {
  const { folders } = useStore(store.routines);
  const { online } = useStore(session);
  const isNew = !id;
  const [draft, setDraft] = useState(/** @type {Draft | null} */ (null));
  const latest = useRef(/** @type {Draft | null} */ (null));
  const [etag, setEtag] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState("");
  const [stale, setStale] = useState(false);
  const [picking, setPicking] = useState(false);
  const [saving, setSaving] = useState(false);

  /** @param {Draft} next */
  const show = (next) => {
    latest.current = next;
    setDraft(next);
  };
  const load = async () => {
    setStale(false);
    setError("");
    if (isNew) return show({ id: db.uuid(), name: "", notes: null, folder_id: null, exercises: [] });
    const local = store.find(/** @type {string} */ (id));
    if (local) show(toDraft(local));
    try {
      const fresh = await store.read(/** @type {string} */ (id));
      show(toDraft(fresh.routine));
      setEtag(fresh.etag);
    } catch (problem) {
      if (problem instanceof api.ApiError && problem.status === 404) setError(t.notFound);
      else if (!(problem instanceof api.OfflineError)) setError(errorMessage(problem));
    }
  };
  useEffect(() => void load(), [id]);

  /** Changes a copy of the draft (the latest, even before the screen shows it). @param {(d: Draft) => void} mutate */
  const edit = (mutate) => {
    const next = structuredClone(/** @type {Draft} */ (latest.current));
    mutate(next);
    show(next);
  };

  if (!draft) {
    return html`<${Page} title=${t.editRoutine} back="/routines"><${Message} kind="error">${error}<//><//>`;
  }

  const save = async () => {
    const current = /** @type {Draft} */ (latest.current);
    setError("");
    if (!current.name.trim()) return setError(t.nameNeeded);
    const empty = current.exercises.find((e) => e.sets.some((s) => !hasTarget(s)));
    if (empty) return setError(t.setNeedsReps(empty.exercise.name));
    setSaving(true);
    try {
      await store.save(current, { create: isNew, etag });
      pullQuietly();
      navigate("/routines");
    } catch (problem) {
      if (problem instanceof api.ApiError && problem.status === 412) setStale(true);
      else setError(errorMessage(problem));
    } finally {
      setSaving(false);
    }
  };
  /** @param {any} exercise */
  const onPick = (exercise) => {
    setPicking(false);
    const before = lastTime(exercise.id);
    edit((d) =>
      d.exercises.push({
        exercise_id: exercise.id,
        exercise: { id: exercise.id, name: exercise.name, body_part: exercise.body_part, modality: exercise.modality },
        notes: null,
        rest_seconds: null,
        superset: null,
        progression: null,
        sets: before.length
          ? before.map((/** @type {any} */ s) => ({ set_type: s.set_type, weight_kg: s.weight_kg, reps: s.reps }))
          : [{ set_type: "normal", weight_kg: null, reps: null }],
      }),
    );
  };

  return html`<${Page}
    title=${isNew ? t.newRoutine : t.editRoutine}
    back="/routines"
    actions=${html`<button type="button" class="button primary" disabled=${!online || saving} onClick=${save}>${t.save}</button>`}
  >
    ${!online && html`<${Message}>${t.routinesOffline}<//>`}
    ${stale && html`<div class="message message-error" role="alert">${t.errors.precondition_failed}
      <button type="button" class="button" onClick=${() => void load()}>${t.reload}</button></div>`}
    <${Message} kind="error">${error}<//>
    <${Field} id="routine-name" label=${t.routineName} value=${draft.name} maxlength="100" required
      onInput=${(/** @type {any} */ e) => edit((d) => void (d.name = e.target.value))} />
    <${Select} id="routine-folder" label=${t.folder} value=${draft.folder_id ?? ""}
      options=${[["", t.noFolder], ...folders.map((f) => /** @type {[string, string]} */ ([f.id, f.name]))]}
      onChange=${(/** @type {string} */ value) => edit((d) => void (d.folder_id = value || null))} />
    <div class="field">
      <label for="routine-notes">${t.routineNotes}</label>
      <textarea id="routine-notes" rows="2" maxlength="2000" value=${draft.notes ?? ""}
        onInput=${(/** @type {any} */ e) => edit((d) => void (d.notes = e.target.value || null))}></textarea>
    </div>
    ${draft.exercises.length === 0 && html`<p class="muted">${t.routineEmpty}</p>`}
    ${draft.exercises.map((execution, index) => html`<${ExerciseEditor}
      key=${execution.exercise_id} execution=${execution} index=${index} count=${draft.exercises.length} edit=${edit} />`)}
    <button type="button" class="button wide big" onClick=${() => setPicking(true)}>+ ${t.addExercise}</button>
    ${picking && html`<${ExercisePicker} onPick=${onPick} onClose=${() => setPicking(false)}
      exclude=${draft.exercises.map((e) => e.exercise_id)} />`}
  <//>`;
}

/** @param {RoutineSet} set */
const hasTarget = (set) =>
  set.reps != null || set.rep_range != null || set.duration_seconds != null || set.distance_m != null;

/**
 * @param {{ execution: RoutineExercise, index: number, count: number, edit: (mutate: (d: Draft) => void) => void }} props
 */
function ExerciseEditor({ execution, index, count, edit }) {
  const { weight_unit: unit } = useStore(prefs);
  const [menu, setMenu] = useState(false);
  const id = execution.exercise_id;
  const name = execution.exercise.name;
  /** @param {(e: RoutineExercise, d: Draft) => void} mutate */
  const change = (mutate) =>
    edit((d) => {
      const target = d.exercises.find((e) => e.exercise_id === id);
      if (target) mutate(target, d);
    });
  return html`<article class=${execution.superset !== null ? "exercise in-superset" : "exercise"} aria-labelledby=${`rx-${id}`}>
    <header class="exercise-head">
      <h2 id=${`rx-${id}`}>${name}</h2>
      ${execution.superset !== null && html`<span class="badge">${t.supersetLabel} ${execution.superset}</span>`}
      <button type="button" class="icon-button" aria-label=${`${t.more}: ${name}`} onClick=${() => setMenu(true)}>⋯</button>
    </header>
    <div class="routine-sets" role="table" aria-label=${`${t.sets}: ${name}`}>
      <div class="routine-set set-head" role="row">
        <span role="columnheader">${t.setType}</span>
        <span role="columnheader">${unit}</span>
        <span role="columnheader">${t.reps}</span>
        <span role="columnheader"><span class="visually-hidden">${t.removeSet}</span></span>
      </div>
      ${execution.sets.map((set, position) => {
        const row = `${name}, ${t.set.toLowerCase()} ${position + 1}`;
        const weight = fromKg(set.weight_kg, unit);
        /** @param {Partial<RoutineSet>} values */
        const update = (values) => change((e) => Object.assign(e.sets[position], values));
        return html`<div class="routine-set" role="row" key=${position}>
          <span role="cell">
            <select aria-label=${`${t.setType}, ${row}`} value=${set.set_type}
              onChange=${(/** @type {any} */ e) => update({ set_type: e.target.value })}>
              ${Object.entries(t.setTypes).map(([type, text]) => html`<option value=${type} selected=${set.set_type === type}>${text}</option>`)}
            </select>
          </span>
          <span role="cell">
            <input class="num" inputmode="decimal" aria-label=${`${t.weight} (${unit}), ${row}`}
              value=${weight === null ? "" : formatNumber(weight)}
              onChange=${(/** @type {any} */ e) => {
                const kg = toKg(parseNumber(e.target.value), unit);
                if (kg === null || (kg >= 0 && kg <= 1000)) update({ weight_kg: kg });
              }} />
          </span>
          <span role="cell">
            <input class="num" inputmode="numeric" aria-label=${`${t.reps}, ${row}`} value=${set.reps ?? ""}
              placeholder=${set.rep_range ? `${set.rep_range.min}–${set.rep_range.max}` : ""}
              onChange=${(/** @type {any} */ e) => {
                const reps = parseNumber(e.target.value);
                update({ reps: reps === null ? null : Math.min(1000, Math.max(0, Math.round(reps))) });
              }} />
          </span>
          <span role="cell">
            <button type="button" class="icon-button" aria-label=${t.removeSetNamed(row)}
              onClick=${() => change((e) => void e.sets.splice(position, 1))}>×</button>
          </span>
        </div>`;
      })}
    </div>
    <button type="button" class="button subtle wide" onClick=${() =>
      change((e) => {
        const last = e.sets.at(-1);
        e.sets.push({ set_type: last?.set_type === "warmup" ? "normal" : (last?.set_type ?? "normal"), weight_kg: last?.weight_kg ?? null, reps: last?.reps ?? null, rep_range: last?.rep_range ?? null });
      })}>+ ${t.addSet}</button>
    <div class="field">
      <label for=${`rest-${id}`}>${t.restSeconds}</label>
      <input id=${`rest-${id}`} inputmode="numeric" value=${execution.rest_seconds ?? ""}
        onChange=${(/** @type {any} */ e) => {
          const seconds = parseNumber(e.target.value);
          if (seconds === null || (seconds >= 0 && seconds <= 3600)) change((x) => void (x.rest_seconds = seconds === null ? null : Math.round(seconds)));
        }} />
    </div>
    ${menu && html`<${RoutineExerciseMenu} execution=${execution} index=${index} count=${count} edit=${edit} onClose=${() => setMenu(false)} />`}
  </article>`;
}

/**
 * @param {{ execution: RoutineExercise, index: number, count: number,
 *           edit: (mutate: (d: Draft) => void) => void, onClose: () => void }} props
 */
function RoutineExerciseMenu({ execution, index, count, edit, onClose }) {
  const id = execution.exercise_id;
  /** @param {(d: Draft) => void} mutate */
  const act = (mutate) => {
    edit(mutate);
    onClose();
  };
  /** @param {number} delta */
  const move = (delta) =>
    act((d) => {
      const from = d.exercises.findIndex((e) => e.exercise_id === id);
      const to = from + delta;
      if (to < 0 || to >= d.exercises.length) return;
      const [moved] = d.exercises.splice(from, 1);
      d.exercises.splice(to, 0, moved);
    });
  const toggleSuperset = () =>
    act((d) => {
      const here = d.exercises.findIndex((e) => e.exercise_id === id);
      const me = d.exercises[here];
      const next = d.exercises[here + 1];
      if (me.superset !== null) {
        me.superset = null;
        return;
      }
      if (!next) return;
      const group = next.superset ?? Math.max(0, ...d.exercises.map((e) => e.superset ?? 0)) + 1;
      me.superset = group;
      next.superset = group;
    });
  const last = index === count - 1;
  return html`<${Dialog} title=${execution.exercise.name} onClose=${onClose}>
    <div class="menu">
      <button type="button" class="button wide" disabled=${index === 0} onClick=${() => move(-1)}>↑ ${t.moveUp}</button>
      <button type="button" class="button wide" disabled=${last} onClick=${() => move(1)}>↓ ${t.moveDown}</button>
      <button type="button" class="button wide" disabled=${last && execution.superset === null} onClick=${toggleSuperset}>
        ${execution.superset === null ? t.superset : t.unsuperset}
      </button>
      <div class="field">
        <label for="routine-exercise-notes">${t.exerciseNotes}</label>
        <input id="routine-exercise-notes" maxlength="500" value=${execution.notes || ""}
          onChange=${(/** @type {any} */ e) =>
            edit((d) => {
              const target = d.exercises.find((x) => x.exercise_id === id);
              if (target) target.notes = e.target.value.trim() || null;
            })} />
      </div>
      <button type="button" class="button danger wide" onClick=${() => act((d) => void (d.exercises = d.exercises.filter((x) => x.exercise_id !== id)))}>
        ${t.removeExercise}
      </button>
    </div>
    <div class="actions"><button type="button" class="button primary" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

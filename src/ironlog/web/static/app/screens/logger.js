// The logger: the workout in progress, exercise by exercise, set by set.
import { html, useEffect, useState } from "../html.js";
import { ExercisePicker } from "../components/exercise-picker.js";
import { CommitInput } from "../components/inputs.js";
import { PlateCalculator } from "../components/plates.js";
import { Dialog, Page } from "../components/ui.js";
import * as db from "../db.js";
import { defaultName, newSet } from "../model.js";
import { navigate } from "../router.js";
import { t } from "../strings.js";
import { lastTime } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import * as timer from "../stores/timer.js";
import { routines as routinesStore } from "../stores/routines.js";
import { addExercise, change, current, discard, finish, start } from "../stores/workout.js";
import { formatDuration, formatNumber, formatWeight, fromKg, parseNumber, toKg } from "../units.js";

/** @typedef {import("../model.js").LocalWorkout} LocalWorkout */
/** @typedef {import("../model.js").LocalExecution} LocalExecution */
/** @typedef {import("../model.js").LocalSet} LocalSet */

const RPE_VALUES = ["", "6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10"];

export function Logger() {
  const { active, loaded } = useStore(current);
  const [picking, setPicking] = useState(false);
  if (!loaded) return null;
  if (!active) {
    return html`<${Page} title=${t.navHome} back="/">
      <button type="button" class="button primary wide big" onClick=${async () => {
        await start(defaultName(new Date(), t));
      }}>${t.startEmpty}</button>
    <//>`;
  }
  const onFinish = async () => {
    const done = await finish();
    timer.stop();
    if (done) navigate(`/summary/${done.id}`);
  };
  const onDiscard = async () => {
    if (!window.confirm(t.confirmDiscard)) return;
    await discard();
    timer.stop();
    navigate("/");
  };
  /** @param {any} exercise */
  const onPick = async (exercise) => {
    setPicking(false);
    const previous = lastTime(exercise.id, active.id);
    const seeds = previous.map((/** @type {any} */ set) => ({ set_type: set.set_type }));
    await addExercise(exercise, seeds);
  };
  return html`<${Page}
    title=${t.inProgress}
    actions=${html`<button type="button" class="button primary" onClick=${onFinish}>${t.finish}</button>`}
  >
    <div class="field">
      <label for="workout-name" class="visually-hidden">${t.workoutName}</label>
      <${CommitInput} id="workout-name" class="title-input" value=${active.name} maxlength="100"
        onCommit=${(/** @type {string} */ text) => {
          const name = text.trim();
          if (name) void change((w) => void (w.name = name));
        }} />
    </div>
    ${active.exercises.map(
      (execution, index) => html`<${ExerciseBlock}
        key=${execution.exercise_id}
        workout=${active}
        execution=${execution}
        index=${index}
      />`,
    )}
    <button type="button" class="button wide big" onClick=${() => setPicking(true)}>+ ${t.addExercise}</button>
    <div class="field">
      <label for="workout-notes">${t.workoutNotes}</label>
      <${CommitInput} multiline id="workout-notes" rows="2" maxlength="2000" value=${active.notes || ""}
        onCommit=${(/** @type {string} */ text) => void change((w) => void (w.notes = text.trim() || null))} />
    </div>
    <button type="button" class="button danger wide" onClick=${onDiscard}>${t.discard}</button>
    ${picking && html`<${ExercisePicker}
      onPick=${onPick}
      onClose=${() => setPicking(false)}
      exclude=${active.exercises.map((e) => e.exercise_id)}
    />`}
  <//>`;
}

/**
 * Whether the rest timer starts after this exercise: not inside a superset, except its last.
 * @param {LocalWorkout} workout
 * @param {number} index
 */
function endsRound(workout, index) {
  const group = workout.exercises[index].superset;
  const next = workout.exercises[index + 1];
  return group === null || !next || next.superset !== group;
}

/**
 * A routine's plan for one exercise, as a line: each target set, then the rest.
 * @param {import("../stores/routines.js").RoutineExercise} planned
 * @param {"kg" | "lb"} unit
 */
export function describeTargets(planned, unit) {
  const sets = planned.sets.map((set) => {
    const reps = set.reps ?? (set.rep_range ? `${set.rep_range.min}–${set.rep_range.max}` : null);
    const amount = reps !== null ? `${reps}` : set.duration_seconds != null ? formatDuration(set.duration_seconds) : set.distance_m != null ? `${set.distance_m} m` : "";
    const kind = set.set_type === "normal" ? "" : ` (${t.setTypes[set.set_type]})`;
    return `${set.weight_kg !== null ? `${formatWeight(set.weight_kg, unit)} × ` : ""}${amount}${kind}`;
  });
  const rest = planned.rest_seconds != null ? ` · ${t.rest} ${formatDuration(planned.rest_seconds)}` : "";
  return `${sets.join(", ")}${rest}`;
}

/** @param {{ workout: LocalWorkout, execution: LocalExecution, index: number }} props */
function ExerciseBlock({ workout, execution, index }) {
  const { weight_unit: unit, default_rest_seconds: defaultRest } = useStore(prefs);
  const [menu, setMenu] = useState(false);
  const [plates, setPlates] = useState(/** @type {number | null} */ (null));
  const [restOverride, setRestOverride] = useState(/** @type {number | null} */ (null));
  const previous = lastTime(execution.exercise_id, workout.id);
  const id = execution.exercise_id;
  const grouped = execution.superset !== null;
  /** @param {(e: LocalExecution, w: LocalWorkout) => void} mutate */
  const edit = (mutate) =>
    change((w) => {
      const target = w.exercises.find((e) => e.exercise_id === id);
      if (target) mutate(target, w);
    });
  const { routines } = useStore(routinesStore);
  const planned = workout.routine_id
    ? routines.find((r) => r.id === workout.routine_id)?.exercises.find((e) => e.exercise_id === id) ?? null
    : null;
  /** The rest after a set: set here, else the routine's (the set carries it), else this device's, else the default. @param {LocalSet} [set] */
  const restSeconds = async (set) => {
    if (restOverride !== null) return restOverride;
    if (typeof set?.rest_seconds === "number") return set.rest_seconds;
    const kept = await db.get("kv", `rest:${id}`);
    return typeof kept === "number" ? kept : defaultRest;
  };
  let working = 0;
  return html`<article class=${grouped ? "exercise in-superset" : "exercise"} aria-labelledby=${`ex-${id}`}>
    <header class="exercise-head">
      <h2 id=${`ex-${id}`}><a href=${`#/exercises/${id}`}>${execution.exercise.name}</a></h2>
      ${grouped && html`<span class="badge">${t.supersetLabel} ${execution.superset}</span>`}
      <button type="button" class="icon-button" aria-label=${`${t.more}: ${execution.exercise.name}`} onClick=${() => setMenu(true)}>⋯</button>
    </header>
    ${execution.notes && html`<p class="muted">${execution.notes}</p>`}
    ${planned && html`<p class="target"><strong>${t.target}:</strong> ${describeTargets(planned, unit)}</p>`}
    <div class="sets" role="table" aria-label=${`${t.sets}: ${execution.exercise.name}`}>
      <div class="set-row set-head" role="row">
        <span role="columnheader">${t.set}</span>
        <span role="columnheader">${t.previous}</span>
        <span role="columnheader">${unit}</span>
        <span role="columnheader">${t.reps}</span>
        <span role="columnheader"><span class="visually-hidden">${t.done}</span>✓</span>
      </div>
      ${execution.sets.map((set, position) => {
        const number = set.set_type === "warmup" ? 0 : (working += 1);
        return html`<${SetRow}
          key=${set.key}
          set=${set}
          position=${position}
          number=${number}
          before=${previous[position]}
          unit=${unit}
          modality=${execution.exercise.modality}
          exerciseName=${execution.exercise.name}
          onChange=${(/** @type {Partial<LocalSet>} */ values) =>
            edit((e) => Object.assign(/** @type {LocalSet} */ (e.sets.find((s) => s.key === set.key)), values))}
          onRemove=${() => edit((e) => void (e.sets = e.sets.filter((s) => s.key !== set.key)))}
          onTicked=${async () => {
            if (endsRound(workout, index)) timer.start(await restSeconds(set));
          }}
          onPlates=${(/** @type {number} */ kg) => setPlates(kg)}
        />`;
      })}
    </div>
    <button type="button" class="button subtle wide" onClick=${() =>
      edit((e) => {
        const last = e.sets.at(-1);
        e.sets.push(newSet({ set_type: last?.set_type === "warmup" ? "normal" : (last?.set_type ?? "normal"), weight_kg: last?.weight_kg ?? null, reps: last?.reps ?? null }));
      })}>+ ${t.addSet}</button>
    ${menu && html`<${ExerciseMenu}
      workout=${workout}
      execution=${execution}
      index=${index}
      onClose=${() => setMenu(false)}
      onRest=${async (/** @type {number} */ seconds) => {
        setRestOverride(seconds);
        await db.put("kv", seconds, `rest:${id}`);
      }}
      restSeconds=${restSeconds}
    />`}
    ${plates !== null && html`<${PlateCalculator} weightKg=${plates} onClose=${() => setPlates(null)} />`}
  </article>`;
}

/**
 * @param {{ set: LocalSet, position: number, number: number, before: any, unit: "kg" | "lb",
 *           modality: string, exerciseName: string, onChange: (values: Partial<LocalSet>) => void,
 *           onRemove: () => void, onTicked: () => void, onPlates: (kg: number) => void }} props
 */
function SetRow({ set, position, number, before, unit, modality, exerciseName, onChange, onRemove, onTicked, onPlates }) {
  const [details, setDetails] = useState(false);
  const label = set.set_type === "normal" ? String(number) : t.setTypeShort[set.set_type];
  const name = `${exerciseName}, ${t.set.toLowerCase()} ${position + 1}`;
  const previousText = before ? `${before.weight_kg !== null ? `${formatNumber(/** @type {number} */ (fromKg(before.weight_kg, unit)))} × ` : ""}${before.reps ?? "–"}` : "–";
  const weight = fromKg(set.weight_kg, unit);
  const tick = () => {
    /** @type {Partial<LocalSet>} */
    const values = { completed: !set.completed };
    if (!set.completed) {
      // An empty field takes last time's value, as the placeholder showed.
      if (set.weight_kg === null && before?.weight_kg != null) values.weight_kg = before.weight_kg;
      if (set.reps === null && before?.reps != null) values.reps = before.reps;
    }
    onChange(values);
    if (!set.completed) onTicked();
  };
  return html`<div class=${`set-row${set.completed ? " completed" : ""} type-${set.set_type}`} role="row" data-set=${position}>
    <span role="cell"><button type="button" class="set-label" aria-label=${`${t.setType}: ${t.setTypes[set.set_type]}, ${name}`} onClick=${() => setDetails(true)}>${label}</button></span>
    <span role="cell" class="previous">${previousText}</span>
    <span role="cell" class="weight-cell">
      <${CommitInput} class="num" inputmode="decimal" aria-label=${`${t.weight} (${unit}), ${name}`}
        value=${weight === null ? "" : formatNumber(weight)}
        placeholder=${before?.weight_kg != null ? formatNumber(/** @type {number} */ (fromKg(before.weight_kg, unit))) : ""}
        onCommit=${(/** @type {string} */ text) => {
          const kg = toKg(parseNumber(text), unit);
          if (kg === null || (kg >= 0 && kg <= 1000)) onChange({ weight_kg: kg });
        }} />
      ${modality === "BARBELL" && set.weight_kg
        ? html`<button type="button" class="plate-button" aria-label=${`${t.plates}, ${name}`} onClick=${() => onPlates(/** @type {number} */ (set.weight_kg))}>⊜</button>`
        : null}
    </span>
    <span role="cell">
      <${CommitInput} class="num" inputmode="numeric" aria-label=${`${t.reps}, ${name}`}
        value=${set.reps === null ? "" : String(set.reps)} placeholder=${before?.reps ?? ""}
        onCommit=${(/** @type {string} */ text) => {
          const reps = parseNumber(text);
          onChange({ reps: reps === null ? null : Math.min(1000, Math.max(0, Math.round(reps))) });
        }} />
    </span>
    <span role="cell">
      <button type="button" class="tick" aria-pressed=${set.completed}
        aria-label=${set.completed ? t.untickSet(position + 1) + `, ${exerciseName}` : t.tickSet(position + 1) + `, ${exerciseName}`}
        onClick=${tick}>✓</button>
    </span>
    ${details && html`<${SetDialog} set=${set} name=${name} onChange=${onChange} onRemove=${onRemove} onClose=${() => setDetails(false)} />`}
  </div>`;
}

/**
 * @param {{ set: LocalSet, name: string, onChange: (values: Partial<LocalSet>) => void, onRemove: () => void, onClose: () => void }} props
 */
function SetDialog({ set, name, onChange, onRemove, onClose }) {
  return html`<${Dialog} title=${name} onClose=${onClose}>
    <fieldset class="segmented">
      <legend>${t.setType}</legend>
      ${Object.entries(t.setTypes).map(
        ([type, text]) => html`<label class=${set.set_type === type ? "segment selected" : "segment"}>
          <input type="radio" name="set-type" value=${type} checked=${set.set_type === type}
            onChange=${() => onChange({ set_type: type })} />${text}
        </label>`,
      )}
    </fieldset>
    <div class="field">
      <label for="set-rpe">${t.rpe}</label>
      <select id="set-rpe" onChange=${(/** @type {any} */ e) => onChange({ rpe: e.target.value ? Number(e.target.value) : null })}>
        ${RPE_VALUES.map((value) => html`<option value=${value} selected=${String(set.rpe ?? "") === value}>${value || "–"}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="set-notes">${t.notes}</label>
      <input id="set-notes" maxlength="500" value=${set.notes || ""}
        onChange=${(/** @type {any} */ e) => onChange({ notes: e.target.value.trim() || null })} />
    </div>
    <div class="actions">
      <button type="button" class="button danger" onClick=${() => { onRemove(); onClose(); }}>${t.removeSet}</button>
      <button type="button" class="button primary" onClick=${onClose}>${t.done}</button>
    </div>
  <//>`;
}

/**
 * @param {{ workout: LocalWorkout, execution: LocalExecution, index: number, onClose: () => void,
 *           onRest: (seconds: number) => Promise<void>, restSeconds: (set?: LocalSet) => Promise<number> }} props
 */
function ExerciseMenu({ workout, execution, index, onClose, onRest, restSeconds }) {
  const [rest, setRest] = useState("");
  useEffect(() => void restSeconds(execution.sets[0]).then((seconds) => setRest(String(seconds))), []);
  const id = execution.exercise_id;
  /** @param {number} delta */
  const move = (delta) =>
    change((w) => {
      const from = w.exercises.findIndex((e) => e.exercise_id === id);
      const to = from + delta;
      if (to < 0 || to >= w.exercises.length) return;
      const [moved] = w.exercises.splice(from, 1);
      w.exercises.splice(to, 0, moved);
    });
  const toggleSuperset = () =>
    change((w) => {
      const here = w.exercises.findIndex((e) => e.exercise_id === id);
      const me = w.exercises[here];
      const next = w.exercises[here + 1];
      if (me.superset !== null) {
        me.superset = null;
        return;
      }
      if (!next) return;
      const group = next.superset ?? Math.max(0, ...w.exercises.map((e) => e.superset ?? 0)) + 1;
      me.superset = group;
      next.superset = group;
    });
  const last = index === workout.exercises.length - 1;
  return html`<${Dialog} title=${execution.exercise.name} onClose=${onClose}>
    <div class="menu">
      <button type="button" class="button wide" disabled=${index === 0} onClick=${() => { void move(-1); onClose(); }}>↑ ${t.moveUp}</button>
      <button type="button" class="button wide" disabled=${last} onClick=${() => { void move(1); onClose(); }}>↓ ${t.moveDown}</button>
      <button type="button" class="button wide" disabled=${last && execution.superset === null} onClick=${() => { void toggleSuperset(); onClose(); }}>
        ${execution.superset === null ? t.superset : t.unsuperset}
      </button>
      <div class="field">
        <label for="rest-seconds">${t.restFor}</label>
        <input id="rest-seconds" inputmode="numeric" value=${rest}
          onChange=${(/** @type {any} */ e) => {
            const seconds = parseNumber(e.target.value);
            if (seconds !== null && seconds >= 0 && seconds <= 3600) void onRest(Math.round(seconds));
          }} />
      </div>
      <div class="field">
        <label for="exercise-notes">${t.exerciseNotes}</label>
        <input id="exercise-notes" maxlength="500" value=${execution.notes || ""}
          onChange=${(/** @type {any} */ e) =>
            void change((w) => {
              const target = w.exercises.find((x) => x.exercise_id === id);
              if (target) target.notes = e.target.value.trim() || null;
            })} />
      </div>
      <button type="button" class="button danger wide" onClick=${() => {
        void change((w) => void (w.exercises = w.exercises.filter((x) => x.exercise_id !== id)));
        onClose();
      }}>${t.removeExercise}</button>
    </div>
    <div class="actions"><button type="button" class="button primary" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

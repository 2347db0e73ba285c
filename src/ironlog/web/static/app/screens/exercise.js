// One exercise: its records, its history and a chart of the best estimated 1RM per session.
import { html } from "../html.js";
import { LineChart, Page, formatDay, formatDate } from "../components/ui.js";
import { t } from "../strings.js";
import { history, sessionsOf } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { fromKg, formatNumber, formatWeight } from "../units.js";
import { bests } from "./summary.js";

/** @param {{ id: string }} props */
export function ExerciseDetail({ id }) {
  const { exercises } = useStore(history);
  const { weight_unit: unit } = useStore(prefs);
  const exercise = exercises.find((e) => e.id === id);
  if (!exercise) return html`<${Page} title=${t.navExercises} back="/exercises"><p>${t.notFound}</p><//>`;
  const sessions = sessionsOf(id);
  const all = bests(sessions.flatMap((s) => s.sets));
  const points = /** @type {[string, number][]} */ (
    sessions
      .map((s) => [formatDay(s.workout.started_at), bests(s.sets).e1rm])
      .filter(([, e1rm]) => Number(e1rm) > 0)
      .reverse()
      .map(([day, e1rm]) => [day, /** @type {number} */ (fromKg(/** @type {number} */ (e1rm), unit))])
  );
  return html`<${Page}
    title=${exercise.name}
    back="/exercises"
    actions=${exercise.is_system === false && html`<a class="button" href=${`#/exercises/${id}/edit`}>${t.edit}</a>`}
  >
    <p class="muted">${exercise.body_part} · ${exercise.modality.toLowerCase()}</p>
    ${exercise.description && html`<p>${exercise.description}</p>`}
    <h2 class="section-title">${t.records}</h2>
    <dl class="stats">
      <div><dt>${t.heaviest}</dt><dd>${all.heaviest ? formatWeight(all.heaviest, unit) : "–"}</dd></div>
      <div><dt>${t.bestE1rm}</dt><dd>${all.e1rm ? formatWeight(all.e1rm, unit) : "–"}</dd></div>
      <div><dt>${t.mostReps}</dt><dd>${all.reps || "–"}</dd></div>
    </dl>
    <h2 class="section-title">${t.e1rmChart}</h2>
    <${LineChart} points=${points} label=${`${t.bestE1rm} (${unit})`} />
    <h2 class="section-title">${t.navHistory}</h2>
    ${sessions.length === 0
      ? html`<p class="muted">${t.noHistory}</p>`
      : html`<ul class="list">${sessions.map(
          (s) => html`<li class="card"><a href=${`#/history/${s.workout.id}`}><strong>${formatDate(s.workout.started_at)}</strong></a>
            <span class="card-meta">${s.sets.map((/** @type {any} */ set) => `${set.weight_kg !== null ? `${formatNumber(/** @type {number} */ (fromKg(set.weight_kg, unit)))}×` : ""}${set.reps ?? ""}`).join("  ")}</span></li>`,
        )}</ul>`}
  <//>`;
}

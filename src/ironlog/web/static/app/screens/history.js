// History: the workouts as a list and as a month calendar.
import { html, useState } from "../html.js";
import { Page, formatDate } from "../components/ui.js";
import { t } from "../strings.js";
import { history } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { formatDuration, formatWeight } from "../units.js";

/** @param {{ workout: any }} props */
export function WorkoutCard({ workout }) {
  const { weight_unit: unit } = useStore(prefs);
  const sets = workout.exercises.flatMap((/** @type {any} */ e) => e.sets).filter((/** @type {any} */ s) => s.completed && s.set_type !== "warmup");
  const volume = sets.reduce((sum, /** @type {any} */ s) => sum + (s.weight_kg || 0) * (s.reps || 0), 0);
  const seconds = workout.finished_at ? (Date.parse(workout.finished_at) - Date.parse(workout.started_at)) / 1000 : null;
  return html`<a class="card workout-card" href=${`#/history/${workout.id}`}>
    <span class="card-title"><strong>${workout.name}</strong>${workout.status === "in_progress" && html` <span class="badge">${t.inProgress}</span>`}</span>
    <span class="muted">${formatDate(workout.started_at)}${seconds !== null ? ` · ${formatDuration(seconds)}` : ""}</span>
    <span class="card-meta">${workout.exercises.map((/** @type {any} */ e) => e.exercise.name).join(", ")}</span>
    <span class="card-meta">${sets.length} ${t.sets.toLowerCase()} · ${formatWeight(volume, unit)}</span>
  </a>`;
}

export function History() {
  const { workouts } = useStore(history);
  const [view, setView] = useState(/** @type {"list" | "calendar"} */ ("list"));
  return html`<${Page} title=${t.navHistory}>
    <div class="segmented" role="group" aria-label=${t.navHistory}>
      <button type="button" class=${view === "list" ? "segment selected" : "segment"} aria-pressed=${view === "list"} onClick=${() => setView("list")}>${t.list}</button>
      <button type="button" class=${view === "calendar" ? "segment selected" : "segment"} aria-pressed=${view === "calendar"} onClick=${() => setView("calendar")}>${t.calendar}</button>
    </div>
    ${view === "calendar" && html`<${Calendar} workouts=${workouts} />`}
    ${workouts.length === 0
      ? html`<p class="muted">${t.noWorkouts}</p>`
      : view === "list" && html`<ul class="list">${workouts.map((w) => html`<li key=${w.id}><${WorkoutCard} workout=${w} /></li>`)}</ul>`}
  <//>`;
}

/** @param {{ workouts: any[] }} props */
function Calendar({ workouts }) {
  const { week_starts_on: weekStart } = useStore(prefs);
  const [month, setMonth] = useState(() => {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), 1);
  });
  /** @type {Map<string, any[]>} */
  const byDay = new Map();
  for (const workout of workouts) {
    const day = new Date(workout.started_at).toDateString();
    byDay.set(day, [...(byDay.get(day) || []), workout]);
  }
  const first = weekStart === "sunday" ? 0 : 1;
  const offset = (month.getDay() - first + 7) % 7;
  const days = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
  const cells = [];
  for (let i = 0; i < offset; i += 1) cells.push(null);
  for (let d = 1; d <= days; d += 1) cells.push(new Date(month.getFullYear(), month.getMonth(), d));
  const names = [...Array(7)].map((_, i) => new Date(2024, 0, 7 + first + i).toLocaleDateString(undefined, { weekday: "narrow" }));
  const title = month.toLocaleDateString(undefined, { month: "long", year: "numeric" });
  /** @param {number} delta */
  const shift = (delta) => setMonth(new Date(month.getFullYear(), month.getMonth() + delta, 1));
  return html`<div class="calendar">
    <div class="calendar-head">
      <button type="button" class="icon-button" aria-label=${t.previousMonth} onClick=${() => shift(-1)}>‹</button>
      <h2 aria-live="polite">${title}</h2>
      <button type="button" class="icon-button" aria-label=${t.nextMonth} onClick=${() => shift(1)}>›</button>
    </div>
    <div class="calendar-grid" role="group" aria-label=${title}>
      ${names.map((name) => html`<span class="calendar-dow" aria-hidden="true">${name}</span>`)}
      ${cells.map((day) => {
        if (!day) return html`<span class="calendar-cell empty"></span>`;
        const done = byDay.get(day.toDateString()) || [];
        const label = `${day.toLocaleDateString()}${done.length ? `: ${done.map((w) => w.name).join(", ")}` : ""}`;
        return done.length
          ? html`<a class="calendar-cell trained" href=${`#/history/${done[0].id}`} aria-label=${label}>${day.getDate()}</a>`
          : html`<span class="calendar-cell">${day.getDate()}</span>`;
      })}
    </div>
  </div>`;
}

// Home: resume the workout in progress, start one (empty or from a routine), recent workouts.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { features } from "../stores/features.js";
import { history, pullQuietly } from "../stores/history.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import * as workoutStore from "../stores/workout.js";
import { defaultName } from "../model.js";
import { Message, Page } from "../components/ui.js";
import * as bodyStore from "../stores/body.js";
import { prefs } from "../stores/prefs.js";
import * as routinesStore from "../stores/routines.js";
import { formatWeight } from "../units.js";
import { formatEntryDate } from "./body.js";
import { WorkoutCard } from "./history.js";
import { routineSummary, startRoutine } from "./routines.js";

const HOME_ROUTINES = 3;

export function Home() {
  const { active } = useStore(workoutStore.current);
  const { workouts } = useStore(history);
  const { user } = useStore(session);
  const [error, setError] = useState("");
  // What other devices changed meanwhile (a feed page: cheap when nothing did).
  useEffect(() => pullQuietly(), []);
  const elsewhere = workouts.find((w) => w.status === "in_progress" && w.id !== active?.id);

  const startEmpty = async () => {
    await workoutStore.start(defaultName(new Date(), t));
    navigate("/workout");
  };
  /** @param {any} server */
  const continueHere = async (server) => {
    try {
      const answer = await api.request("GET", `/workouts/${server.id}`);
      await workoutStore.adopt(answer.data, answer.etag);
      navigate("/workout");
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };

  return html`<${Page} title=${user ? `${t.navHome}` : t.navHome}>
    <${Message} kind="error">${error}<//>
    ${active
      ? html`<a class="hero" href="#/workout">
          <span class="hero-kicker">${t.inProgress}</span>
          <strong>${active.name}</strong>
          <span class="hero-action">${t.resume} ›</span>
        </a>`
      : html`<button type="button" class="button primary wide big" onClick=${startEmpty}>${t.startEmpty}</button>`}
    ${elsewhere && !active && html`<div class="card">
      <p><strong>${elsewhere.name}</strong> · ${t.inProgressElsewhere}</p>
      <button type="button" class="button wide" onClick=${() => continueHere(elsewhere)}>${t.resumeHere}</button>
    </div>`}
    <${RoutineStarter} disabled=${Boolean(active)} onError=${setError} />
    <${BodyWeightCard} />
    <h2 class="section-title">${t.recentWorkouts}</h2>
    ${workouts.filter((w) => w.status === "finished").length === 0
      ? html`<p class="muted">${t.noWorkouts}</p>`
      : html`<ul class="list">
          ${workouts
            .filter((w) => w.status === "finished")
            .slice(0, 5)
            .map((w) => html`<li key=${w.id}><${WorkoutCard} workout=${w} /></li>`)}
        </ul>`}
  <//>`;
}

/** A few routines to start from, and the way to all of them. @param {{ disabled: boolean, onError: (message: string) => void }} props */
function RoutineStarter({ disabled, onError }) {
  const { routines: available } = useStore(features);
  const { routines } = useStore(routinesStore.routines);
  const { online } = useStore(session);
  if (!available) return null;
  return html`<div class="section-head">
      <h2 class="section-title">${t.startFromRoutine}</h2>
      <a href="#/routines">${t.allRoutines} ›</a>
    </div>
    ${!online && routines.length > 0 && html`<p class="muted">${t.routinesOffline}</p>`}
    ${routines.length === 0
      ? html`<p class="muted">${t.noRoutines} <a href="#/routines/new">${t.newRoutine}</a></p>`
      : html`<ul class="list">${routines.slice(0, HOME_ROUTINES).map(
          (routine) => html`<li key=${routine.id}>
            <button type="button" class="row-button" disabled=${disabled || !online}
              onClick=${() => startRoutine(routine.id, onError)}>
              <strong><span class="visually-hidden">${t.start} </span>${routine.name}</strong>
              <span class="muted">${routineSummary(routine)}</span>
            </button>
          </li>`,
        )}</ul>`}`;
}

/** The latest body weight, and the way to log one. */
function BodyWeightCard() {
  const { bodyMeasurements: available } = useStore(features);
  const { entries } = useStore(bodyStore.body);
  const { weight_unit: unit } = useStore(prefs);
  if (!available) return null;
  const latest = entries.find((entry) => entry.weight_kg !== null);
  return html`<a class="card body-card" href="#/body">
    <strong>${t.bodyWeight}</strong>
    <span class="card-meta">${latest ? `${t.latest}: ${formatWeight(latest.weight_kg, unit)} · ${formatEntryDate(latest.date)}` : t.noEntries}</span>
    <span class="card-link">${t.logWeight} ›</span>
  </a>`;
}

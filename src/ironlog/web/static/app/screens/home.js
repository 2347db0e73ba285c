// Home: resume the workout in progress, start one (empty or from a routine), recent workouts.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { features } from "../stores/features.js";
import { history } from "../stores/history.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import * as workoutStore from "../stores/workout.js";
import { defaultName } from "../model.js";
import { Message, Page } from "../components/ui.js";
import { WorkoutCard } from "./history.js";

export function Home() {
  const { active } = useStore(workoutStore.current);
  const { workouts } = useStore(history);
  const { user } = useStore(session);
  const [error, setError] = useState("");
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

/** @param {{ disabled: boolean, onError: (message: string) => void }} props */
function RoutineStarter({ disabled, onError }) {
  const { routines: available } = useStore(features);
  const [routines, setRoutines] = useState(/** @type {any[]} */ ([]));
  useEffect(() => {
    if (!available) return;
    api
      .get("/routines?size=100")
      .then((data) => setRoutines(Array.isArray(data) ? data : data.items || []))
      .catch(() => setRoutines([]));
  }, [available]);
  if (!available) return null;
  /** @param {string} id */
  const startRoutine = async (id) => {
    try {
      await workoutStore.startRoutine(id);
      navigate("/workout");
    } catch (problem) {
      onError(errorMessage(problem));
    }
  };
  return html`<h2 class="section-title">${t.startFromRoutine}</h2>
    ${routines.length === 0
      ? html`<p class="muted">${t.noRoutines}</p>`
      : html`<ul class="list">${routines.map(
          (routine) => html`<li key=${routine.id}>
            <button type="button" class="row-button" disabled=${disabled} onClick=${() => startRoutine(routine.id)}>
              <strong>${routine.name}</strong>
              <span class="muted">${routine.exercises.map((/** @type {any} */ e) => e.exercise?.name).filter(Boolean).join(", ")}</span>
            </button>
          </li>`,
        )}</ul>`}`;
}

// The exercise library: search it, filter by body part, and your own exercises.
import { html, useState } from "../html.js";
import { Page } from "../components/ui.js";
import { t } from "../strings.js";
import { history, searchExercises } from "../stores/history.js";
import { useStore } from "../stores/store.js";

export function Exercises() {
  useStore(history);
  const [query, setQuery] = useState("");
  const [part, setPart] = useState("");
  const [mine, setMine] = useState(false);
  const all = history.get().exercises;
  const parts = [...new Set(all.map((e) => e.body_part))].sort();
  const found = searchExercises(query).filter(
    (e) => (!part || e.body_part === part) && (!mine || e.is_system === false),
  );
  return html`<${Page}
    title=${t.navExercises}
    actions=${html`<a class="button primary" href="#/exercises/new">+ ${t.newExercise}</a>`}
  >
    <div class="filters">
      <div class="field grow">
        <label for="exercise-query" class="visually-hidden">${t.searchExercises}</label>
        <input id="exercise-query" type="search" placeholder=${t.searchExercises} value=${query}
          onInput=${(/** @type {any} */ e) => setQuery(e.target.value)} />
      </div>
      <div class="field">
        <label for="body-part" class="visually-hidden">${t.bodyPart}</label>
        <select id="body-part" onChange=${(/** @type {any} */ e) => setPart(e.target.value)}>
          <option value="">${t.allBodyParts}</option>
          ${parts.map((p) => html`<option value=${p} selected=${p === part}>${p}</option>`)}
        </select>
      </div>
    </div>
    <label class="check"><input type="checkbox" checked=${mine} onChange=${() => setMine(!mine)} /> ${t.myExercises}</label>
    <ul class="list">
      ${found.slice(0, 200).map(
        (exercise) => html`<li key=${exercise.id}>
          <a class="row-button" href=${`#/exercises/${exercise.id}`}>
            <strong>${exercise.name}</strong>
            <span class="muted">${exercise.body_part} · ${exercise.modality.toLowerCase()}${exercise.is_system === false ? ` · ${t.myExercises.toLowerCase()}` : ""}</span>
          </a>
        </li>`,
      )}
    </ul>
    ${found.length === 0 && html`<p class="muted">${t.noExerciseFound}</p>`}
  <//>`;
}

// Add an exercise: search the library, the ones done recently and often first.
import { html, useState } from "../html.js";
import { t } from "../strings.js";
import { history, searchExercises } from "../stores/history.js";
import { useStore } from "../stores/store.js";
import { Dialog } from "./ui.js";

/**
 * @param {{ onPick: (exercise: any) => void, onClose: () => void, exclude: string[] }} props
 */
export function ExercisePicker({ onPick, onClose, exclude }) {
  useStore(history);
  const [query, setQuery] = useState("");
  const found = searchExercises(query).filter((exercise) => !exclude.includes(exercise.id)).slice(0, 40);
  return html`<${Dialog} title=${t.addExercise} onClose=${onClose}>
    <div class="field">
      <label for="exercise-search" class="visually-hidden">${t.searchExercises}</label>
      <input id="exercise-search" type="search" placeholder=${t.searchExercises} value=${query}
        autofocus onInput=${(/** @type {any} */ e) => setQuery(e.target.value)} />
    </div>
    <ul class="picker" aria-label=${t.navExercises}>
      ${found.map(
        (exercise) => html`<li key=${exercise.id}>
          <button type="button" class="row-button" onClick=${() => onPick(exercise)}>
            <strong>${exercise.name}</strong>
            <span class="muted">${exercise.body_part} · ${exercise.modality.toLowerCase()}</span>
          </button>
        </li>`,
      )}
    </ul>
    ${found.length === 0 && html`<p class="muted">${t.noExerciseFound} <a href="#/exercises/new">${t.createExercise}</a></p>`}
    <div class="actions"><button type="button" class="button" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

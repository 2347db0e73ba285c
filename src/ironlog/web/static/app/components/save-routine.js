// "Save as routine" for a finished workout (its detail and the summary): the server copies its
// exercises, supersets and sets into a new routine. Needs a connection, and the workout on the
// server (a workout finished offline waits for the outbox).
import { html, useState } from "../html.js";
import { errorMessage, t } from "../strings.js";
import { features } from "../stores/features.js";
import { pullQuietly } from "../stores/history.js";
import { outbox } from "../stores/outbox.js";
import * as store from "../stores/routines.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import { Dialog, Field, Message, Select } from "./ui.js";

/** @param {{ workout: { id: string, name: string } }} props */
export function SaveAsRoutine({ workout }) {
  const { routines: available } = useStore(features);
  const { online } = useStore(session);
  const { pending } = useStore(outbox);
  const { folders } = useStore(store.routines);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(workout.name);
  const [folderId, setFolderId] = useState("");
  const [error, setError] = useState("");
  const [saved, setSaved] = useState(/** @type {string | null} */ (null));
  if (!available) return null;
  const waiting = pending !== 0; // null: not counted yet
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    setError("");
    if (!name.trim()) return setError(t.nameNeeded);
    try {
      const routine = await store.saveWorkout(workout.id, name, folderId || null);
      setSaved(routine.id);
      setOpen(false);
      pullQuietly();
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  return html`<div class="stack">
    ${saved
      ? html`<${Message} kind="success">${t.savedAsRoutine} <a href=${`#/routines/${saved}`}>${t.openRoutine}</a><//>`
      : html`<button type="button" class="button wide" disabled=${!online || waiting} onClick=${() => setOpen(true)}>${t.saveAsRoutine}</button>`}
    ${!saved && waiting && html`<p class="muted">${t.waitingToSync}</p>`}
    ${open && html`<${Dialog} title=${t.saveAsRoutine} onClose=${() => setOpen(false)}>
      <form class="stack" onSubmit=${submit}>
        <${Field} id="save-routine-name" label=${t.routineName} value=${name} maxlength="100" required
          onInput=${(/** @type {any} */ e) => setName(e.target.value)} />
        <${Select} id="save-routine-folder" label=${t.folder} value=${folderId}
          options=${[["", t.noFolder], ...folders.map((f) => /** @type {[string, string]} */ ([f.id, f.name]))]}
          onChange=${setFolderId} />
        <${Message} kind="error">${error}<//>
        <div class="actions">
          <button type="button" class="button" onClick=${() => setOpen(false)}>${t.cancel}</button>
          <button type="submit" class="button primary">${t.save}</button>
        </div>
      </form>
    <//>`}
  </div>`;
}

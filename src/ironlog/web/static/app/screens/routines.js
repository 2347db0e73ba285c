// Routines: by folder, each one started, edited, moved or deleted; folders created, renamed and
// deleted. Read from the local copy (offline too); changes need a connection.
import { html, useEffect, useState } from "../html.js";
import { Dialog, Field, Message, Page, Select } from "../components/ui.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { features } from "../stores/features.js";
import { pullQuietly } from "../stores/history.js";
import * as store from "../stores/routines.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import * as workoutStore from "../stores/workout.js";

/** @typedef {import("../stores/routines.js").Routine} Routine */
/** @typedef {import("../stores/routines.js").Folder} Folder */

/**
 * Starts a routine's workout (the server makes it) and opens the logger.
 * @param {string} id
 * @param {(message: string) => void} onError
 */
export async function startRoutine(id, onError) {
  try {
    await workoutStore.startRoutine(id);
    navigate("/workout");
    pullQuietly();
  } catch (problem) {
    onError(errorMessage(problem));
  }
}

/** The exercises of a routine in one line. @param {Routine} routine */
export function routineSummary(routine) {
  return routine.exercises.length
    ? routine.exercises.map((e) => e.exercise?.name).filter(Boolean).join(", ")
    : t.routineEmpty;
}

export function Routines() {
  const { routines, folders } = useStore(store.routines);
  const { online } = useStore(session);
  const { routines: available } = useStore(features);
  const { active } = useStore(workoutStore.current);
  const [error, setError] = useState("");
  const [note, setNote] = useState("");
  const [naming, setNaming] = useState(false);
  const [folderMenu, setFolderMenu] = useState(/** @type {Folder | null} */ (null));
  const [routineMenu, setRoutineMenu] = useState(/** @type {Routine | null} */ (null));
  // What other devices changed meanwhile (a feed page: cheap when nothing did).
  useEffect(() => pullQuietly(), []);

  /** @param {() => Promise<any>} work @param {string} [done] */
  const run = async (work, done = "") => {
    setError("");
    setNote("");
    try {
      await work();
      setNote(done);
      pullQuietly();
      return true;
    } catch (problem) {
      setError(errorMessage(problem));
      return false;
    }
  };
  const unfiled = routines.filter((r) => !r.folder_id || !folders.some((f) => f.id === r.folder_id));
  const groups = [
    ...folders.map((folder) => ({ folder, items: routines.filter((r) => r.folder_id === folder.id) })),
  ];
  return html`<${Page}
    title=${t.navRoutines}
    actions=${html`<button type="button" class="button" disabled=${!online} onClick=${() => setNaming(true)}>${t.newFolder}</button>
      <a class=${online ? "button primary" : "button primary disabled"} href="#/routines/new" aria-disabled=${!online}
        onClick=${(/** @type {Event} */ e) => !online && e.preventDefault()}>+ ${t.newRoutine}</a>`}
  >
    ${!available && html`<${Message}>${t.routinesUnavailable}<//>`}
    ${!online && html`<${Message}>${t.routinesOffline}<//>`}
    ${active && html`<${Message}>${t.finishFirst} <a href="#/workout">${t.resume}</a><//>`}
    <${Message} kind="error">${error}<//>
    <${Message} kind="success">${note}<//>
    ${routines.length === 0 && folders.length === 0 && html`<p class="muted">${t.noRoutines}</p>`}
    ${unfiled.length > 0 && html`<${RoutineList} items=${unfiled} label=${t.noFolder}
      canStart=${online && !active} onStart=${(/** @type {string} */ id) => startRoutine(id, setError)} onMenu=${setRoutineMenu} />`}
    ${groups.map(({ folder, items }) => html`<section class="folder" key=${folder.id} aria-labelledby=${`folder-${folder.id}`}>
      <header class="folder-head">
        <h2 id=${`folder-${folder.id}`} class="section-title">${folder.name}</h2>
        <button type="button" class="icon-button" aria-label=${t.folderMenu(folder.name)} disabled=${!online}
          onClick=${() => setFolderMenu(folder)}>⋯</button>
      </header>
      ${items.length === 0
        ? html`<p class="muted">${t.noRoutines}</p>`
        : html`<${RoutineList} items=${items} label=${folder.name} canStart=${online && !active}
            onStart=${(/** @type {string} */ id) => startRoutine(id, setError)} onMenu=${setRoutineMenu} />`}
    </section>`)}
    ${naming && html`<${NameDialog} title=${t.newFolder} label=${t.folderName} value=""
      onClose=${() => setNaming(false)}
      onSave=${async (/** @type {string} */ name) => (await run(() => store.createFolder(name))) && setNaming(false)} />`}
    ${folderMenu && html`<${FolderDialog} folder=${folderMenu} onClose=${() => setFolderMenu(null)}
      onRename=${async (/** @type {string} */ name) => (await run(() => store.renameFolder(folderMenu.id, name))) && setFolderMenu(null)}
      onDelete=${async () => {
        if (!window.confirm(t.confirmDeleteFolder)) return;
        if (await run(() => store.removeFolder(folderMenu.id))) setFolderMenu(null);
      }} />`}
    ${routineMenu && html`<${RoutineDialog} routine=${routineMenu} folders=${folders} online=${online}
      onClose=${() => setRoutineMenu(null)}
      onMove=${async (/** @type {string | null} */ folderId) =>
        (await run(() => store.moveToFolder(routineMenu.id, folderId))) && setRoutineMenu(null)}
      onDelete=${async () => {
        if (!window.confirm(t.confirmDeleteRoutine)) return;
        if (await run(() => store.remove(routineMenu.id))) setRoutineMenu(null);
      }} />`}
  <//>`;
}

/**
 * @param {{ items: Routine[], label: string, canStart: boolean, onStart: (id: string) => void,
 *           onMenu: (routine: Routine) => void }} props
 */
function RoutineList({ items, label, canStart, onStart, onMenu }) {
  return html`<ul class="list" aria-label=${label}>${items.map(
    (routine) => html`<li key=${routine.id} class="card routine-card">
      <a class="routine-name" href=${`#/routines/${routine.id}`}>
        <strong>${routine.name}</strong>
        <span class="card-meta">${routineSummary(routine)}</span>
      </a>
      <div class="routine-actions">
        <button type="button" class="button primary" disabled=${!canStart} aria-label=${t.startNamed(routine.name)}
          onClick=${() => onStart(routine.id)}>${t.start}</button>
        <button type="button" class="icon-button" aria-label=${`${t.more}: ${routine.name}`} onClick=${() => onMenu(routine)}>⋯</button>
      </div>
    </li>`,
  )}</ul>`;
}

/**
 * @param {{ title: string, label: string, value: string, onSave: (name: string) => void, onClose: () => void }} props
 */
export function NameDialog({ title, label, value, onSave, onClose }) {
  const [name, setName] = useState(value);
  return html`<${Dialog} title=${title} onClose=${onClose}>
    <form class="stack" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      if (name.trim()) onSave(name);
    }}>
      <${Field} id="name-dialog" label=${label} value=${name} maxlength="100" required
        onInput=${(/** @type {any} */ e) => setName(e.target.value)} />
      <div class="actions">
        <button type="button" class="button" onClick=${onClose}>${t.cancel}</button>
        <button type="submit" class="button primary">${t.save}</button>
      </div>
    </form>
  <//>`;
}

/**
 * @param {{ folder: Folder, onRename: (name: string) => void, onDelete: () => void, onClose: () => void }} props
 */
function FolderDialog({ folder, onRename, onDelete, onClose }) {
  const [name, setName] = useState(folder.name);
  return html`<${Dialog} title=${folder.name} onClose=${onClose}>
    <form class="stack" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      if (name.trim()) onRename(name);
    }}>
      <${Field} id="folder-name" label=${t.folderName} value=${name} maxlength="100" required
        onInput=${(/** @type {any} */ e) => setName(e.target.value)} />
      <button type="submit" class="button wide">${t.renameFolder}</button>
    </form>
    <button type="button" class="button danger wide" onClick=${onDelete}>${t.deleteFolder}</button>
    <div class="actions"><button type="button" class="button primary" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

/**
 * @param {{ routine: Routine, folders: Folder[], online: boolean, onMove: (folderId: string | null) => void,
 *           onDelete: () => void, onClose: () => void }} props
 */
function RoutineDialog({ routine, folders, online, onMove, onDelete, onClose }) {
  const [folderId, setFolderId] = useState(routine.folder_id ?? "");
  return html`<${Dialog} title=${routine.name} onClose=${onClose}>
    <div class="menu">
      <a class="button wide" href=${`#/routines/${routine.id}`}>${t.editRoutine}</a>
      <${Select} id="move-folder" label=${t.moveToFolder} value=${folderId}
        options=${[["", t.noFolder], ...folders.map((f) => /** @type {[string, string]} */ ([f.id, f.name]))]}
        onChange=${setFolderId} />
      <button type="button" class="button wide" disabled=${!online || folderId === (routine.folder_id ?? "")}
        onClick=${() => onMove(folderId || null)}>${t.moveToFolder}</button>
      <button type="button" class="button danger wide" disabled=${!online} onClick=${onDelete}>${t.deleteRoutine}</button>
    </div>
    <div class="actions"><button type="button" class="button primary" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

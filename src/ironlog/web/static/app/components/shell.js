// The frame around every signed-in screen: the connection and sync status, the rest timer
// (visible on every screen), the conflict dialog and the navigation.
import { html } from "../html.js";
import { route } from "../router.js";
import { t } from "../strings.js";
import { outbox, resolveConflict, dismissRejected } from "../stores/outbox.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import * as timerStore from "../stores/timer.js";
import { replaced } from "../stores/workout.js";
import { formatDuration } from "../units.js";
import { Dialog } from "./ui.js";

const NAV = [
  ["/", "navHome", "⌂"],
  ["/history", "navHistory", "☰"],
  ["/routines", "navRoutines", "▤"],
  ["/exercises", "navExercises", "⚲"],
  ["/progress", "navProgress", "↗"],
  ["/settings", "navSettings", "⚙"],
];

/** @param {{ children?: any }} props */
export function Shell({ children }) {
  const { path } = useStore(route);
  return html`<div class="shell">
    <a class="skip-link" href="#main" onClick=${(/** @type {Event} */ e) => {
      e.preventDefault();
      document.getElementById("main")?.focus();
    }}>${t.skipToContent}</a>
    <${SyncStatus} />
    <main id="main" tabindex="-1">${children}</main>
    <${RestTimer} />
    <${ConflictDialog} />
    <${RejectedNotice} />
    <nav class="tabbar" aria-label=${t.mainNavigation}>
      ${NAV.map(([href, key, icon]) => {
        const active =
          href === "/" ? path === "/" || path === "/workout" : path.startsWith(href) || (href === "/progress" && path === "/body");
        return html`<a href=${`#${href}`} class=${active ? "tab active" : "tab"} aria-current=${active ? "page" : undefined}>
          <span class="tab-icon" aria-hidden="true">${icon}</span><span>${/** @type {any} */ (t)[key]}</span>
        </a>`;
      })}
    </nav>
  </div>`;
}

function SyncStatus() {
  const { online } = useStore(session);
  const { pending, sending, writing } = useStore(outbox);
  const kind = !online ? "offline" : pending !== 0 ? "pending" : "ok";
  /** @type {string} */
  let text = t.synced;
  if (!online) text = t.offline;
  // Not counted yet (null): the changes on the device may not all be sent, so not "Saved".
  else if (pending === null || (pending && sending)) text = t.syncing;
  else if (pending) text = t.pendingChanges(pending);
  return html`<div class=${`sync sync-${kind}`} role="status" aria-live="polite" data-pending=${pending ?? ""} data-writing=${writing}>
    <span class="sync-dot" aria-hidden="true"></span>${text}${!online && pending ? ` · ${t.pendingChanges(pending)}` : ""}
  </div>`;
}

function RestTimer() {
  const state = useStore(timerStore.timer);
  if (state.endsAt === null && !state.done) return null;
  const left = timerStore.remaining();
  const progress = state.total ? Math.round((100 * left) / state.total) : 0;
  return html`<div class=${state.done ? "rest-timer rest-done" : "rest-timer"} role="timer" aria-label=${t.restTimer}>
    <progress class="rest-progress" max="100" value=${progress} aria-hidden="true"></progress>
    <span class="rest-label">${state.done ? t.restDone : t.rest}</span>
    <span class="rest-time" aria-live="off">${state.done ? "0:00" : formatDuration(left)}</span>
    ${!state.done && html`
      <button type="button" class="chip" onClick=${() => timerStore.adjust(-15)} aria-label=${t.restLess}>−15</button>
      <button type="button" class="chip" onClick=${() => timerStore.adjust(15)} aria-label=${t.restMore}>+15</button>`}
    <button type="button" class="chip" onClick=${() => timerStore.stop()}>${state.done ? t.dismiss : t.skipRest}</button>
  </div>`;
}

function ConflictDialog() {
  const { conflict } = useStore(outbox);
  if (!conflict) return null;
  /** @param {"mine" | "theirs"} choice */
  const choose = async (choice) => replaced(await resolveConflict(choice));
  return html`<${Dialog} title=${t.conflictTitle} onClose=${() => {}}>
    <p>${conflict.server ? t.conflictBody : t.conflictDeleted}</p>
    <div class="actions">
      ${conflict.server && html`<button type="button" class="button" onClick=${() => choose("mine")}>${t.keepMine}</button>`}
      <button type="button" class="button primary" onClick=${() => choose("theirs")}>${t.useTheirs}</button>
    </div>
  <//>`;
}

function RejectedNotice() {
  const { rejected } = useStore(outbox);
  if (!rejected) return null;
  return html`<div class="toast" role="alert">
    <strong>${t.rejectedTitle}</strong> ${rejected.message}
    <button type="button" class="chip" onClick=${dismissRejected}>${t.dismiss}</button>
  </div>`;
}

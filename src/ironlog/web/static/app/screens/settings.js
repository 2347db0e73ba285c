// Settings: units, time zone, week start, rest, plates; password, Google, sessions, account.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { Field, Message, Page, Select } from "../components/ui.js";
import * as db from "../db.js";
import { route } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { features } from "../stores/features.js";
import { prefs, update } from "../stores/prefs.js";
import { session, signOut } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import { formatNumber, fromKg, parseNumber, toKg } from "../units.js";

/** The time zones the browser knows, with UTC and the current one always offered. @param {string} current */
function zones(current) {
  /** @type {string[]} */
  let known = [];
  try {
    known = /** @type {any} */ (Intl).supportedValuesOf("timeZone");
  } catch {
    // an older browser: UTC and the current zone only
  }
  return [...new Set([current, "UTC", ...known])];
}

export function Settings() {
  const p = useStore(prefs);
  const { user } = useStore(session);
  const { google } = useStore(features);
  const { query } = useStore(route);
  const [note, setNote] = useState("");
  const [error, setError] = useState(query.get("error") ? t.errors[query.get("error") || ""] || t.errors.unknown : "");
  const unit = p.weight_unit;

  /** @param {Partial<import("../stores/prefs.js").Preferences>} change */
  const save = async (change) => {
    setError("");
    try {
      await update(change);
      setNote(t.saved);
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  useEffect(() => {
    if (query.get("google") === "linked") setNote(t.googleLinked);
  }, []);

  return html`<${Page} title=${t.navSettings}>
    <${Message} kind="success">${note}<//>
    <${Message} kind="error">${error}<//>
    <section class="card stack" aria-labelledby="prefs-title">
      <h2 id="prefs-title">${user?.name || ""} <span class="muted">${user?.email || ""}</span></h2>
      ${!p.remote && html`<p class="muted">${t.localOnly}</p>`}
      <${Select} id="pref-unit" label=${t.units} value=${unit} options=${[["kg", "kg"], ["lb", "lb"]]} onChange=${(/** @type {any} */ v) => save({ weight_unit: v })} />
      <${Select} id="pref-timezone" label=${t.timezone} value=${p.timezone} options=${zones(p.timezone).map((/** @type {string} */ z) => [z, z])} onChange=${(/** @type {string} */ v) => save({ timezone: v })} />
      <${Select} id="pref-week" label=${t.weekStart} value=${p.week_starts_on} options=${[["monday", t.monday], ["sunday", t.sunday]]} onChange=${(/** @type {any} */ v) => save({ week_starts_on: v })} />
      <${Field} id="pref-rest" label=${t.defaultRest} inputmode="numeric" value=${String(p.default_rest_seconds)}
        onChange=${(/** @type {any} */ e) => {
          const seconds = parseNumber(e.target.value);
          if (seconds !== null && seconds >= 0 && seconds <= 3600) void save({ default_rest_seconds: Math.round(seconds) });
        }} />
      <${Field} id="pref-bar" label=${`${t.barWeight} (${unit})`} inputmode="decimal" value=${formatNumber(/** @type {number} */ (fromKg(p.bar_weight_kg, unit)))}
        onChange=${(/** @type {any} */ e) => {
          const bar = toKg(parseNumber(e.target.value), unit);
          if (bar !== null && bar >= 0 && bar <= 100) void save({ bar_weight_kg: bar });
        }} />
      <${Field} id="pref-plates" label=${`${t.platesAvailable} (${unit})`} value=${p.plates_kg.map((kg) => formatNumber(/** @type {number} */ (fromKg(kg, unit)))).join(", ")}
        onChange=${(/** @type {any} */ e) => {
          const plates = String(e.target.value).split(/[,;\s]+/).map(parseNumber).filter((v) => v !== null && v > 0).map((v) => /** @type {number} */ (toKg(v, unit)));
          if (plates.length && plates.length <= 12) void save({ plates_kg: plates.sort((a, b) => b - a) });
        }} />
    </section>
    <${PasswordForm} onDone=${setNote} onError=${setError} />
    ${google && html`<section class="card stack"><h2>${t.google}</h2>
      ${user?.google_linked ? html`<p>${t.googleLinked}</p>` : html`<button type="button" class="button" onClick=${async () => {
        try {
          const answer = await api.request("POST", "/auth/google/link-start", { body: {} });
          location.assign(answer.data.authorization_url);
        } catch (problem) { setError(errorMessage(problem)); }
      }}>${t.linkGoogle}</button>`}
    </section>`}
    <section class="card stack">
      <h2>${t.account}</h2>
      <a class="button" href="#/data">${t.data}</a>
      ${user?.is_admin && html`<a class="button" href="#/users">${t.manageUsers}</a>`}
      <a class="button" href="/docs">${t.apiDocs}</a>
      <button type="button" class="button" onClick=${() => signOut()}>${t.signOut}</button>
      <button type="button" class="button" onClick=${() => signOut({ everywhere: true })}>${t.signOutEverywhere}</button>
      <button type="button" class="button danger" onClick=${async () => {
        if (!window.confirm(t.confirmDeleteAccount)) return;
        try {
          await api.request("DELETE", "/users/me");
          api.forget();
          await db.clearAll();
          session.set({ status: "signed-out", user: null });
        } catch (problem) { setError(errorMessage(problem)); }
      }}>${t.deleteAccount}</button>
    </section>
  <//>`;
}

/** @param {{ onDone: (message: string) => void, onError: (message: string) => void }} props */
function PasswordForm({ onDone, onError }) {
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    try {
      await api.request("POST", "/users/me/password", {
        body: { current_password: data.get("current_password"), new_password: data.get("new_password") },
      });
      form.reset();
      onDone(t.passwordChanged);
    } catch (problem) {
      onError(errorMessage(problem));
    }
  };
  return html`<form class="card stack" onSubmit=${submit}>
    <h2>${t.changePassword}</h2>
    <input type="text" name="username" autocomplete="username" class="visually-hidden" tabindex="-1" aria-hidden="true" value=${session.get().user?.email || ""} />
    <${Field} id="current-password" label=${t.currentPassword} name="current_password" type="password" autocomplete="current-password" required />
    <${Field} id="new-password" label=${t.newPassword} name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128" />
    <button type="submit" class="button">${t.changePassword}</button>
  </form>`;
}

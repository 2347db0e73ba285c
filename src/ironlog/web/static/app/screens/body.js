// Body weight: log the day's weight in the lifter's unit, the recent entries (delete), and a
// chart over time. Read from the local copy (offline too); logging needs a connection.
import { html, useEffect, useState } from "../html.js";
import { LineChart, Message, Page } from "../components/ui.js";
import { errorMessage, t } from "../strings.js";
import * as store from "../stores/body.js";
import { features } from "../stores/features.js";
import { pullQuietly } from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import { formatNumber, formatWeight, fromKg, parseNumber, toKg } from "../units.js";

const LOW_KG = 20;
const HIGH_KG = 500;
const CHARTED = 90;

/** A `YYYY-MM-DD` date as the device writes it (a local date: no time zone shift). @param {string} date */
export function formatEntryDate(date) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(year, month - 1, day).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
}

/** @param {string} date */
function shortDate(date) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(year, month - 1, day).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export function Body() {
  const { entries } = useStore(store.body);
  const { weight_unit: unit } = useStore(prefs);
  const { online } = useStore(session);
  const { bodyMeasurements: available } = useStore(features);
  const [date, setDate] = useState(store.today());
  const [weight, setWeight] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const weighed = entries.filter((entry) => entry.weight_kg !== null);
  // What other devices changed meanwhile (a feed page: cheap when nothing did).
  useEffect(() => pullQuietly(), []);

  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    setError("");
    const kg = toKg(parseNumber(weight), unit);
    if (kg === null || kg < LOW_KG || kg > HIGH_KG) {
      setError(t.weightRange(formatWeight(LOW_KG, unit), formatWeight(HIGH_KG, unit)));
      return;
    }
    setBusy(true);
    try {
      await store.logWeight(date, kg);
      setWeight("");
      pullQuietly();
    } catch (problem) {
      setError(errorMessage(problem));
    } finally {
      setBusy(false);
    }
  };
  /** @param {import("../stores/body.js").Measurement} entry */
  const remove = async (entry) => {
    setError("");
    try {
      await store.remove(entry);
      pullQuietly();
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  const points = /** @type {[string, number][]} */ (
    weighed
      .slice(0, CHARTED)
      .reverse()
      .map((entry) => [shortDate(entry.date), /** @type {number} */ (fromKg(entry.weight_kg, unit))])
  );
  return html`<${Page} title=${t.bodyWeight} back="/progress">
    ${!available && html`<${Message}>${t.bodyUnavailable}<//>`}
    ${!online && html`<${Message}>${t.bodyOffline}<//>`}
    <form class="card stack" onSubmit=${submit} aria-label=${t.logWeight}>
      <div class="body-form">
        <div class="field">
          <label for="body-date">${t.date}</label>
          <input id="body-date" type="date" required max=${store.today()} value=${date}
            onInput=${(/** @type {any} */ e) => setDate(e.target.value)} />
        </div>
        <div class="field">
          <label for="body-weight">${`${t.bodyWeight} (${unit})`}</label>
          <input id="body-weight" class="num" inputmode="decimal" required value=${weight}
            onInput=${(/** @type {any} */ e) => setWeight(e.target.value)} />
        </div>
      </div>
      <${Message} kind="error">${error}<//>
      <button type="submit" class="button primary wide" disabled=${!online || busy || !available}>${t.logWeight}</button>
    </form>
    <h2 class="section-title">${t.bodyWeightChart}</h2>
    ${points.length > 0 ? html`<${LineChart} points=${points} label=${`${t.bodyWeight} (${unit})`} />` : html`<p class="muted">${t.noEntries}</p>`}
    <h2 class="section-title">${t.recentEntries}</h2>
    ${weighed.length > 0 && html`<ul class="list body-entries" aria-label=${t.recentEntries}>${weighed.slice(0, 30).map(
          (entry) => html`<li key=${entry.id} class="card body-entry">
            <span><strong>${formatNumber(/** @type {number} */ (fromKg(entry.weight_kg, unit)))} ${unit}</strong>
              <span class="muted"> · ${formatEntryDate(entry.date)}</span></span>
            <button type="button" class="icon-button" disabled=${!online} aria-label=${t.deleteEntry(formatEntryDate(entry.date))}
              onClick=${() => remove(entry)}>×</button>
          </li>`,
        )}</ul>`}
  <//>`;
}

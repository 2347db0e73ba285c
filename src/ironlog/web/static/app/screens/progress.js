// Progress: the server's statistics (weekly volume, streaks, top exercises) and the records.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { BarChart, Message, Page } from "../components/ui.js";
import * as db from "../db.js";
import { errorMessage, t } from "../strings.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { formatDuration, formatWeight } from "../units.js";

/** Read from the server, kept on the device for offline. @param {string} path */
function useCached(path) {
  const [data, setData] = useState(/** @type {any} */ (null));
  const [error, setError] = useState("");
  useEffect(() => {
    void db.get("kv", `cache:${path}`).then((kept) => kept && setData(kept));
    api
      .get(path)
      .then((fresh) => {
        setData(fresh);
        void db.put("kv", fresh, `cache:${path}`);
      })
      .catch((problem) => !(problem instanceof api.OfflineError) && setError(errorMessage(problem)));
  }, [path]);
  return { data, error };
}

export function Progress() {
  const { weight_unit: unit } = useStore(prefs);
  const stats = useCached("/users/me/stats");
  const records = useCached("/users/me/records");
  const s = stats.data;
  return html`<${Page} title=${t.navProgress} actions=${html`<a class="button" href="#/body">${t.navBody}</a><a class="button" href="#/data">${t.data}</a>`}>
    <${Message} kind="error">${stats.error || records.error}<//>
    ${s && html`
      <dl class="stats">
        <div><dt>${t.workouts}</dt><dd>${s.total_workouts}</dd></div>
        <div><dt>${t.currentStreak}</dt><dd>${t.weeks(s.current_streak_weeks)}</dd></div>
        <div><dt>${t.longestStreak}</dt><dd>${t.weeks(s.longest_streak_weeks)}</dd></div>
        <div><dt>${t.totalVolume}</dt><dd>${formatWeight(s.total_volume_kg, unit)}</dd></div>
        <div><dt>${t.sets}</dt><dd>${s.total_sets}</dd></div>
        <div><dt>${t.duration}</dt><dd>${formatDuration(s.total_duration_seconds)}</dd></div>
      </dl>
      <h2 class="section-title">${t.weeklyVolume}</h2>
      <${BarChart} label=${`${t.weeklyVolume} (kg)`} bars=${s.weekly.map((/** @type {any} */ w) => [w.week_start.slice(5), w.volume_kg])} />
      <h2 class="section-title">${t.topExercises}</h2>
      <ol class="list">${s.top_exercises.map(
        (/** @type {any} */ e) => html`<li class="card"><a href=${`#/exercises/${e.exercise_id}`}><strong>${e.name}</strong></a>
          <span class="card-meta">${t.setsCount(e.sets)} · ${formatWeight(e.volume_kg, unit)}</span></li>`,
      )}</ol>`}
    <h2 class="section-title">${t.records}</h2>
    ${records.data && html`<div class="table-wrap"><table class="records-table">
      <thead><tr><th scope="col">${t.navExercises}</th><th scope="col">${t.heaviest}</th><th scope="col">${t.bestE1rm}</th><th scope="col">${t.mostReps}</th></tr></thead>
      <tbody>${records.data.map(
        (/** @type {any} */ r) => html`<tr>
          <th scope="row"><a href=${`#/exercises/${r.exercise_id}`}>${r.name}</a></th>
          <td>${r.heaviest_weight_kg ? formatWeight(r.heaviest_weight_kg, unit) : "–"}</td>
          <td>${r.best_e1rm_kg ? formatWeight(r.best_e1rm_kg, unit) : "–"}</td>
          <td>${r.most_reps ?? "–"}</td>
        </tr>`,
      )}</tbody>
    </table></div>`}
  <//>`;
}

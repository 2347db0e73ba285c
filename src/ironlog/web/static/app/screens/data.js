// Import a Strong / Hevy / FitNotes file (a dry run first shows what would happen), and export.
import { html, useState } from "../html.js";
import * as api from "../api.js";
import { Message, Page, Select } from "../components/ui.js";
import { errorMessage, t } from "../strings.js";
import * as historyStore from "../stores/history.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";

const SOURCES = /** @type {[string, string][]} */ ([
  ["auto", t.detectSource],
  ["strong", "Strong"],
  ["hevy", "Hevy"],
  ["fitnotes", "FitNotes"],
  ["ironlog_csv", "IronLog CSV"],
  ["ironlog_json", "IronLog JSON"],
]);

export function Data() {
  const { weight_unit: preferred, timezone } = useStore(prefs);
  const [file, setFile] = useState(/** @type {File | null} */ (null));
  const [source, setSource] = useState("auto");
  const [unit, setUnit] = useState(preferred);
  const [report, setReport] = useState(/** @type {any} */ (null));
  const [done, setDone] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  /** @param {boolean} dryRun */
  const send = async (dryRun) => {
    if (!file) return;
    setBusy(true);
    setError("");
    const form = new FormData();
    form.append("file", file);
    form.append("source", source);
    form.append("unit", unit);
    form.append("timezone", timezone || "UTC");
    form.append("dry_run", String(dryRun));
    try {
      const answer = await api.request("POST", "/imports", { form });
      setReport(answer.data);
      setDone(!dryRun);
      if (!dryRun) void historyStore.refresh();
    } catch (problem) {
      setReport(null);
      const rows = problem instanceof api.ApiError ? problem.problem.errors : null;
      setError(`${errorMessage(problem)}${Array.isArray(rows) ? ` ${rows.slice(0, 3).map((r) => `#${r.row}: ${r.message ?? r.msg}`).join("; ")}` : ""}`);
    } finally {
      setBusy(false);
    }
  };

  /** @param {"json" | "csv"} format */
  const download = async (format) => {
    try {
      const answer = (await api.request("GET", `/export?format=${format}`, { raw: true })).data;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(answer);
      link.download = `ironlog.${format}`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };

  return html`<${Page} title=${t.data} back="/progress">
    <form class="stack" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void send(true); }}>
      <h2 class="section-title">${t.importFile}</h2>
      <div class="field">
        <label for="import-file">${t.file}</label>
        <input id="import-file" type="file" accept=".csv,.json,text/csv,application/json"
          onChange=${(/** @type {any} */ e) => { setFile(e.target.files[0] || null); setReport(null); setDone(false); }} />
      </div>
      <${Select} label=${t.source} value=${source} options=${SOURCES} onChange=${setSource} id="import-source" />
      <${Select} label=${t.unitOfFile} value=${unit} options=${[["kg", "kg"], ["lb", "lb"]]} onChange=${(/** @type {any} */ v) => setUnit(v)} id="import-unit" />
      <button type="submit" class="button wide" disabled=${!file || busy}>${t.preview}</button>
    </form>
    <${Message} kind="error">${error}<//>
    ${report && html`<section class="card report" aria-live="polite">
      <p><strong>${done ? t.imported : t.preview}:</strong> ${t.report(report)}</p>
      ${report.exercises_matched.length > 0 && html`<details><summary>${t.matched} (${report.exercises_matched.length})</summary>
        <ul>${report.exercises_matched.map((/** @type {any} */ m) => html`<li>${m.source_name} → ${m.name}</li>`)}</ul></details>`}
      ${report.exercises_created.length > 0 && html`<details open><summary>${t.created} (${report.exercises_created.length})</summary>
        <ul>${report.exercises_created.map((/** @type {any} */ m) => html`<li>${m.source_name}</li>`)}</ul></details>`}
      ${report.warnings.length > 0 && html`<details><summary>${t.warnings} (${report.warnings.length})</summary>
        <ul>${report.warnings.map((/** @type {any} */ w) => html`<li>#${w.row}: ${w.message}</li>`)}</ul></details>`}
      ${!done && html`<button type="button" class="button primary wide" disabled=${busy} onClick=${() => send(false)}>${t.importNow}</button>`}
    </section>`}
    <h2 class="section-title">${t.export}</h2>
    <div class="actions">
      <button type="button" class="button" onClick=${() => download("json")}>${t.exportJson}</button>
      <button type="button" class="button" onClick=${() => download("csv")}>${t.exportCsv}</button>
    </div>
  <//>`;
}

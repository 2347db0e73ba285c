// Shared pieces of every screen: page frame, fields, buttons, messages, dialogs.
import { html, useEffect, useRef } from "../html.js";
import { t } from "../strings.js";

/**
 * A screen's frame: a heading and an optional back link and actions.
 * @param {{ title: string, back?: string, actions?: any, children?: any }} props
 */
export function Page({ title, back, actions, children }) {
  return html`<section class="page">
    <header class="page-head">
      ${back && html`<a class="icon-button" href=${`#${back}`} aria-label=${t.back}>‹</a>`}
      <h1>${title}</h1>
      ${actions && html`<div class="page-actions">${actions}</div>`}
    </header>
    ${children}
  </section>`;
}

/**
 * A labelled input. Every input of the app has a visible or an accessible label.
 * @param {{ label: string, hint?: string, hideLabel?: boolean, [key: string]: any }} props
 */
export function Field({ label, hint, hideLabel, ...input }) {
  const id = input.id || `f-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return html`<div class="field">
    <label for=${id} class=${hideLabel ? "visually-hidden" : ""}>${label}</label>
    <input id=${id} ...${input} />
    ${hint && html`<small class="hint">${hint}</small>`}
  </div>`;
}

/**
 * @param {{ label: string, value: string, options: [string, string][], onChange: (value: string) => void, id?: string }} props
 */
export function Select({ label, value, options, onChange, id }) {
  const fieldId = id || `s-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return html`<div class="field">
    <label for=${fieldId}>${label}</label>
    <select id=${fieldId} value=${value} onChange=${(/** @type {any} */ e) => onChange(e.target.value)}>
      ${options.map(([key, text]) => html`<option value=${key} selected=${key === value}>${text}</option>`)}
    </select>
  </div>`;
}

/** @param {{ kind?: "error" | "info" | "success", children?: any }} props */
export function Message({ kind = "info", children }) {
  if (!children) return null;
  return html`<p class=${`message message-${kind}`} role=${kind === "error" ? "alert" : "status"}>${children}</p>`;
}

/**
 * A modal dialog (native <dialog>: focus is trapped and Escape closes it).
 * @param {{ title: string, onClose: () => void, children?: any }} props
 */
export function Dialog({ title, onClose, children }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    const cancel = (/** @type {Event} */ event) => {
      event.preventDefault();
      onClose();
    };
    dialog?.addEventListener("cancel", cancel);
    return () => dialog?.removeEventListener("cancel", cancel);
  }, []);
  return html`<dialog ref=${ref} class="dialog" aria-labelledby="dialog-title">
    <h2 id="dialog-title">${title}</h2>
    ${children}
  </dialog>`;
}

/** @param {{ points: [string, number][], label: string, unit?: string }} props */
export function LineChart({ points, label, unit = "" }) {
  if (points.length === 0) return html`<p class="muted">${t.noHistory}</p>`;
  const width = 320;
  const height = 140;
  const values = points.map(([, value]) => value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const x = (/** @type {number} */ i) => (points.length === 1 ? width / 2 : 8 + (i * (width - 16)) / (points.length - 1));
  const y = (/** @type {number} */ v) => height - 12 - ((v - low) / span) * (height - 32);
  const line = points.map(([, v], i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const summary = `${label}: ${points.map(([day, v]) => `${day} ${v}${unit}`).join(", ")}`;
  // The value scale sits on the plot (the highest and lowest value, each on a faint rule at its
  // height); the caption under it reads as the time axis: first day, what is charted, last day.
  const rules = high === low ? [high] : [high, low];
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${summary}>
      ${rules.map((v) => html`<line x1="0" x2=${width} y1=${y(v)} y2=${y(v)} class="chart-rule" />`)}
      <path d=${line} class="chart-line" />
      ${points.map(([, v], i) => html`<circle cx=${x(i)} cy=${y(v)} r="3.5" class="chart-dot" />`)}
      ${rules.map((v) => {
        // On the side away from the point that reaches this value, so the label never hides it.
        const left = x(values.indexOf(v)) > width / 2;
        return html`<text x=${left ? 2 : width - 2} y=${y(v) - 5} text-anchor=${left ? "start" : "end"} class="chart-value">${v}${unit}</text>`;
      })}
    </svg>
    <figcaption class="chart-caption"><span>${points[0][0]}</span><span>${label}</span><span>${points.length > 1 ? points.at(-1)?.[0] : ""}</span></figcaption>
  </figure>`;
}

/** @param {{ bars: [string, number][], label: string }} props */
export function BarChart({ bars, label }) {
  const high = Math.max(1, ...bars.map(([, v]) => v));
  const width = 320;
  const height = 120;
  const step = width / Math.max(1, bars.length);
  const summary = `${label}: ${bars.map(([day, v]) => `${day} ${Math.round(v)}`).join(", ")}`;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${summary}>
      ${bars.map(([, v], i) => {
        const h = (v / high) * (height - 10);
        return html`<rect x=${i * step + 3} y=${height - h} width=${step - 6} height=${Math.max(h, 1)} rx="3" class="chart-bar" />`;
      })}
    </svg>
    <figcaption class="chart-caption"><span>${bars[0]?.[0] ?? ""}</span><span>${label}</span><span>${bars.at(-1)?.[0] ?? ""}</span></figcaption>
  </figure>`;
}

/** @param {string} iso */
export function formatDate(iso) {
  return new Date(iso).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
}

/** @param {string} iso */
export function formatDay(iso) {
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

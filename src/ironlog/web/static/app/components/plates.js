// The plate calculator: what to load on each side of the bar for a barbell weight.
import { html } from "../html.js";
import { t } from "../strings.js";
import { prefs } from "../stores/prefs.js";
import { useStore } from "../stores/store.js";
import { formatWeight, platesPerSide } from "../units.js";
import { Dialog } from "./ui.js";

/** @param {{ weightKg: number, onClose: () => void }} props */
export function PlateCalculator({ weightKg, onClose }) {
  const { bar_weight_kg: bar, plates_kg: plates, weight_unit: unit } = useStore(prefs);
  const { plates: side, remainderKg } = platesPerSide(weightKg, bar, plates);
  return html`<${Dialog} title=${`${t.plates}: ${formatWeight(weightKg, unit)}`} onClose=${onClose}>
    <p class="muted">${t.barWeight}: ${formatWeight(bar, unit)}</p>
    ${side.length === 0
      ? html`<p>${t.barOnly}</p>`
      : html`<p><strong>${t.platesPerSide}:</strong></p>
          <ul class="plates" aria-label=${t.platesPerSide}>
            ${side.map((plate) => html`<li class="plate">${formatWeight(plate, unit)}</li>`)}
          </ul>`}
    ${remainderKg > 0 && html`<p class="message message-info">${t.plateRemainder(formatWeight(remainderKg, unit))}</p>`}
    <div class="actions"><button type="button" class="button primary" onClick=${onClose}>${t.close}</button></div>
  <//>`;
}

// Units: the API speaks kilograms; the lifter reads and types their own unit.

export const KG_PER_LB = 0.45359237;

/** @typedef {"kg" | "lb"} WeightUnit */

/** The precision the server keeps, in kg: a gram, or what its OpenAPI document says. */
let weightStepKg = 0.001;

/** @param {number} step */
export function setWeightStep(step) {
  weightStepKg = step;
}

/**
 * Kilograms from the API to the number shown in `unit`: kilograms to two decimals, pounds to
 * the nearest 0.05 lb (finer than any plate), so 225 lb (stored as 102.058 kg, or 102.06 kg on
 * a server that keeps 10 g) reads 225 again.
 * @param {number | null | undefined} kg
 * @param {WeightUnit} unit
 * @returns {number | null}
 */
export function fromKg(kg, unit) {
  if (kg === null || kg === undefined) return null;
  if (unit === "lb") return Math.round((kg / KG_PER_LB) * 20) / 20;
  return Math.round(kg * 100) / 100;
}

/**
 * What the lifter typed, in `unit`, to kilograms for the API (the server keeps grams).
 * @param {number | null} value
 * @param {WeightUnit} unit
 * @returns {number | null}
 */
export function toKg(value, unit) {
  if (value === null || Number.isNaN(value)) return null;
  const kg = unit === "lb" ? value * KG_PER_LB : value;
  const steps = Math.round(kg / weightStepKg);
  return Number((steps * weightStepKg).toFixed(3));
}

/**
 * @param {number | null | undefined} kg
 * @param {WeightUnit} unit
 */
export function formatWeight(kg, unit) {
  const value = fromKg(kg, unit);
  return value === null ? "" : `${formatNumber(value)} ${unit}`;
}

/** @param {number} value */
export function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}

/**
 * Parses a number as typed on a phone (a comma is a decimal point too); null when empty.
 * @param {string} text
 * @returns {number | null}
 */
export function parseNumber(text) {
  const cleaned = text.trim().replace(",", ".");
  if (cleaned === "") return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

/**
 * Plates for one side of the bar, heaviest first, for a target total in kilograms.
 * @param {number} totalKg
 * @param {number} barKg
 * @param {number[]} platesKg available plate weights (any number of each)
 * @returns {{ plates: number[], remainderKg: number }}
 */
export function platesPerSide(totalKg, barKg, platesKg) {
  let side = (totalKg - barKg) / 2;
  const plates = [];
  for (const plate of [...platesKg].sort((a, b) => b - a)) {
    while (side >= plate - 1e-6) {
      plates.push(plate);
      side -= plate;
    }
  }
  return { plates, remainderKg: Math.max(0, Math.round(side * 2 * 1000) / 1000) };
}

/**
 * Estimated one-rep max (Epley), as the server computes records.
 * @param {number | null} weightKg
 * @param {number | null} reps
 */
export function estimatedOneRepMax(weightKg, reps) {
  if (!weightKg || !reps || reps > 12) return null;
  return reps === 1 ? weightKg : weightKg * (1 + reps / 30);
}

/** @param {number} seconds */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

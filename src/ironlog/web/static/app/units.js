// Units: the API speaks kilograms; the lifter reads and types their own unit.

export const KG_PER_LB = 0.45359237;

/** @typedef {"kg" | "lb"} WeightUnit */

/**
 * Kilograms from the API to the number shown in `unit`: two decimals at most, so that 225 lb
 * (stored as 102.058 kg) reads 225 again.
 * @param {number | null | undefined} kg
 * @param {WeightUnit} unit
 * @returns {number | null}
 */
export function fromKg(kg, unit) {
  if (kg === null || kg === undefined) return null;
  const value = unit === "lb" ? kg / KG_PER_LB : kg;
  return Math.round(value * 100) / 100;
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
  return Math.round(kg * 1000) / 1000;
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

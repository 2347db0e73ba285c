// The rest timer: it starts when a set is ticked, survives a reload (its end is kept on the
// device) and vibrates and notifies at zero.
import * as db from "../db.js";
import { createStore } from "./store.js";

/** @type {import("./store.js").Store<{ endsAt: number | null, total: number, now: number, done: boolean }>} */
export const timer = createStore(
  /** @type {{ endsAt: number | null, total: number, now: number, done: boolean }} */ ({
    endsAt: null,
    total: 0,
    now: Date.now(),
    done: false,
  }),
);

/** @type {ReturnType<typeof setInterval> | undefined} */
let ticking;

export async function load() {
  const kept = await db.get("kv", "timer");
  if (kept && kept.endsAt > Date.now()) run(kept.endsAt, kept.total);
}

/** @param {number} seconds */
export function start(seconds) {
  if (seconds <= 0) return;
  const endsAt = Date.now() + seconds * 1000;
  run(endsAt, seconds);
  void db.put("kv", { endsAt, total: seconds }, "timer");
  if ("Notification" in window && Notification.permission === "default") {
    void Notification.requestPermission();
  }
}

/** @param {number} seconds */
export function adjust(seconds) {
  const { endsAt, total } = timer.get();
  if (endsAt === null) return;
  const next = Math.max(Date.now(), endsAt + seconds * 1000);
  run(next, Math.max(0, total + seconds));
  void db.put("kv", { endsAt: next, total: timer.get().total }, "timer");
}

export function stop() {
  clearInterval(ticking);
  timer.set({ endsAt: null, done: false });
  void db.remove("kv", "timer");
}

/** @param {number} endsAt @param {number} total */
function run(endsAt, total) {
  clearInterval(ticking);
  timer.set({ endsAt, total, now: Date.now(), done: false });
  ticking = setInterval(() => {
    const now = Date.now();
    if (now >= endsAt) {
      clearInterval(ticking);
      timer.set({ now, done: true, endsAt: null });
      void db.remove("kv", "timer");
      alarm();
    } else {
      timer.set({ now });
    }
  }, 250);
}

function alarm() {
  navigator.vibrate?.([300, 150, 300]);
  if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
    void navigator.serviceWorker?.ready.then((registration) =>
      registration.showNotification("IronLog", { body: "Rest is over", tag: "rest-timer" }),
    );
  }
}

/** Seconds left, rounded up. */
export function remaining() {
  const { endsAt, now } = timer.get();
  return endsAt === null ? 0 : Math.max(0, Math.ceil((endsAt - now) / 1000));
}

// The outbox: every change made on the device is written to IndexedDB together with the change
// to send, in one transaction; the outbox sends them in order when the server can be reached.
// Each change carries an Idempotency-Key (POST) or an If-Match (PUT/DELETE), so a change is
// never applied twice and never overwrites a change made meanwhile elsewhere: that is shown to
// the lifter as a conflict to settle. The ETag of each workout, as the server last answered,
// is kept apart from the workout (in `kv`): only the outbox writes it.
import * as api from "../api.js";
import * as db from "../db.js";
import { fingerprint, fromServer } from "../model.js";
import { createStore } from "./store.js";

/**
 * @typedef {"create" | "replace" | "finish" | "reopen" | "delete"} OpKind
 * @typedef {{ seq?: number, kind: OpKind, workoutId: string, key: string, body?: any,
 *             finishedAt?: string | null }} Op
 * @typedef {{ workoutId: string, server: any | null, etag: string | null }} Conflict
 * @typedef {{ pending: number | null, writing: number, sending: boolean, conflict: Conflict | null,
 *             rejected: { op: Op, message: string } | null, lastSyncedAt: number | null }} OutboxState
 * `pending` is null until the queue on the device has been counted: until then nothing may say
 * that every change is saved.
 */

/** @type {import("./store.js").Store<OutboxState>} */
export const outbox = createStore(
  /** @type {OutboxState} */ ({
    pending: null,
    writing: 0,
    sending: false,
    conflict: null,
    rejected: null,
    lastSyncedAt: null,
  }),
);

let running = false;
let again = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
let retryDelay = 2000;
/** @type {((workoutId: string, server?: any) => Promise<void>) | null} */
let onSynced = null;

/** @param {(workoutId: string, server?: any) => Promise<void>} callback */
export function setSyncedHandler(callback) {
  onSynced = callback;
}

/**
 * Saves the workout on the device and queues the change, atomically. A full replace right
 * after another for the same workout takes its place (only the latest tree matters, and it is
 * sent once), unless that one is at the head of the queue: the head may be on its way.
 * @param {import("../model.js").LocalWorkout | null} draft null to forget the draft
 * @param {string} workoutId
 * @param {Op | null} op
 */
export async function commit(draft, workoutId, op) {
  outbox.set({ writing: outbox.get().writing + 1 });
  try {
    await write(draft, workoutId, op);
  } finally {
    outbox.set({ writing: outbox.get().writing - 1 });
  }
  await count();
  void replay();
}

/**
 * @param {import("../model.js").LocalWorkout | null} draft
 * @param {string} workoutId
 * @param {Op | null} op
 */
async function write(draft, workoutId, op) {
  await db.transaction(["drafts", "outbox"], "readwrite", async (tx) => {
    const drafts = tx.objectStore("drafts");
    if (draft) drafts.put(draft);
    else drafts.delete(workoutId);
    if (!op) return;
    const queue = tx.objectStore("outbox");
    const head = await db.settle(queue.openCursor(null, "next"));
    const tail = await db.settle(queue.openCursor(null, "prev"));
    /** @type {Op | undefined} */
    const last = tail?.value;
    const mergeable = last && last.seq !== head?.value.seq;
    if (op.kind === "replace" && mergeable && last.kind === "replace" && last.workoutId === op.workoutId) {
      queue.put({ ...last, body: op.body });
    } else {
      queue.add(op);
    }
  });
}

/** Counts the queue on the device (the status shows what waits there). */
export async function count() {
  const ops = /** @type {Op[]} */ (await db.getAll("outbox"));
  outbox.set({ pending: ops.length });
  return ops;
}

/** Sends the queued changes in order, until the queue is empty or something stops it. */
export async function replay() {
  if (outbox.get().conflict) return;
  if (running) {
    again = true; // a change queued while sending: look at the queue once more at the end
    return;
  }
  running = true;
  clearTimeout(retryTimer);
  outbox.set({ sending: true });
  try {
    let outcome;
    do {
      again = false;
      outcome = await drain();
    } while (again && outcome === "done");
    if (outcome === "stop") {
      retryTimer = setTimeout(() => void replay(), retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
  } finally {
    running = false;
    outbox.set({ sending: false });
  }
}

/** @returns {Promise<"done" | "stop" | "conflict">} */
async function drain() {
  for (;;) {
    const [op] = await count();
    if (!op) {
      outbox.set({ lastSyncedAt: Date.now() });
      retryDelay = 2000;
      return "done";
    }
    const outcome = await send(op);
    if (outcome !== "done") return outcome;
    await db.remove("outbox", /** @type {number} */ (op.seq));
  }
}

/**
 * @param {Op} op
 * @returns {Promise<"done" | "stop" | "conflict">}
 */
async function send(op) {
  const path = `/workouts/${op.workoutId}`;
  try {
    const etag = /** @type {string | null} */ ((await db.get("kv", etagKey(op.workoutId))) ?? null);
    /** @type {api.Answer | null} */
    let answer = null;
    if (op.kind === "create") {
      answer = await api.request("POST", "/workouts", { body: op.body, idempotencyKey: op.key });
    } else if (op.kind === "replace") {
      answer = await api.request("PUT", path, { body: op.body, ifMatch: etag });
    } else if (op.kind === "finish") {
      answer = await api.request("POST", `${path}/finish`, {
        body: op.finishedAt ? { finished_at: op.finishedAt } : {},
        idempotencyKey: op.key,
      });
    } else if (op.kind === "reopen") {
      answer = await api.request("POST", `${path}/reopen`, { body: {}, idempotencyKey: op.key });
    } else {
      await api.request("DELETE", path, { ifMatch: etag });
    }
    await synced(op.workoutId, answer?.etag ?? null, answer?.data);
    return "done";
  } catch (error) {
    if (error instanceof api.OfflineError) return "stop";
    if (!(error instanceof api.ApiError)) throw error;
    if (error.status === 401 || error.status === 429 || error.status >= 500) return "stop";
    return settleRefusal(op, error);
  }
}

/**
 * The server refused a change: decide whether it was ours already (a replay after a lost
 * answer), a conflict to show, or a change that can never be applied.
 * @param {Op} op
 * @param {api.ApiError} error
 * @returns {Promise<"done" | "stop" | "conflict">}
 */
async function settleRefusal(op, error) {
  const alreadyDone =
    (op.kind === "create" && error.code === "workout_exists") ||
    (op.kind === "finish" && error.code === "workout_finished") ||
    (op.kind === "delete" && error.status === 404);
  if (alreadyDone) {
    if (op.kind !== "delete") await adoptServerVersion(op.workoutId);
    return "done";
  }
  if (op.kind === "replace" && (error.status === 412 || error.status === 409 || error.status === 404)) {
    const current = await fetchCurrent(op.workoutId);
    if (current && fingerprint(current.data) === fingerprint(op.body)) {
      // Our own earlier write, whose answer never arrived: nothing to settle.
      await synced(op.workoutId, current.etag, current.data);
      return "done";
    }
    outbox.set({
      conflict: { workoutId: op.workoutId, server: current?.data ?? null, etag: current?.etag ?? null },
    });
    return "conflict";
  }
  outbox.set({ rejected: { op, message: error.message } });
  return "done";
}

/** @param {string} workoutId */
async function fetchCurrent(workoutId) {
  try {
    return await api.request("GET", `/workouts/${workoutId}`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) return null;
    throw error;
  }
}

/** @param {string} workoutId */
async function adoptServerVersion(workoutId) {
  const current = await fetchCurrent(workoutId);
  if (current) await synced(workoutId, current.etag, current.data);
}

/**
 * Settles the conflict: "mine" sends the device's version over the server's (knowingly),
 * "theirs" takes the server's version and drops the device's unsent changes to it.
 * @param {"mine" | "theirs"} choice
 * @returns {Promise<import("../model.js").LocalWorkout | null>} the draft now on the device
 */
export async function resolveConflict(choice) {
  const conflict = outbox.get().conflict;
  if (!conflict) return null;
  /** @type {import("../model.js").LocalWorkout | null} */
  let result = null;
  await db.transaction(["drafts", "outbox"], "readwrite", async (tx) => {
    const drafts = tx.objectStore("drafts");
    const draft = await db.settle(drafts.get(conflict.workoutId));
    if (choice === "mine" && conflict.server && draft) {
      result = draft;
      return;
    }
    const queue = tx.objectStore("outbox");
    const ops = /** @type {Op[]} */ (await db.settle(queue.getAll()));
    for (const op of ops) if (op.workoutId === conflict.workoutId) queue.delete(/** @type {number} */ (op.seq));
    if (conflict.server && conflict.server.status === "in_progress") {
      result = fromServer(conflict.server);
      drafts.put(result);
    } else {
      drafts.delete(conflict.workoutId);
    }
  });
  if (conflict.etag) await adoptEtag(conflict.workoutId, conflict.etag);
  outbox.set({ conflict: null });
  void replay();
  return result;
}

/** @param {string} workoutId */
const etagKey = (workoutId) => `etag:${workoutId}`;

/**
 * The version of a workout this device's next change builds on.
 * @param {string} workoutId
 * @param {string | null} etag
 */
export async function adoptEtag(workoutId, etag) {
  if (etag) await db.put("kv", etag, etagKey(workoutId));
  else await db.remove("kv", etagKey(workoutId));
}

/** @param {string} workoutId @param {string | null} etag @param {any} server */
async function synced(workoutId, etag, server) {
  if (etag) await adoptEtag(workoutId, etag);
  await onSynced?.(workoutId, server);
}

export function dismissRejected() {
  outbox.set({ rejected: null });
}

/** Replays on start, when the connection returns and when the app comes back to the front. */
let watching = false;

export function watch() {
  if (watching) return void replay();
  watching = true;
  window.addEventListener("online", () => void replay());
  window.addEventListener("focus", () => void replay());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void replay();
  });
  void replay();
}

// The device's own storage (IndexedDB): the workout in progress, the outbox of changes not yet
// on the server, and the local copy of the history that makes the app work offline.

const NAME = "ironlog";
const VERSION = 2;
/**
 * Object stores: `kv` holds small named values; `drafts` the workouts changed on this device
 * (the one in progress, one being edited); `outbox` their changes not yet on the server, in
 * order; `history`, `exercises`, `routines`, `folders` (of routines) and `measurements` (body
 * weight) the local copy of the server's objects, fed by the sync feed.
 */
export const STORES = ["kv", "drafts", "outbox", "history", "exercises", "routines", "folders", "measurements"];

/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** @returns {Promise<IDBDatabase>} */
function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        db.createObjectStore("kv");
        db.createObjectStore("drafts", { keyPath: "id" });
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("history", { keyPath: "id" });
        db.createObjectStore("exercises", { keyPath: "id" });
      }
      if (event.oldVersion < 2) {
        db.createObjectStore("routines", { keyPath: "id" });
        db.createObjectStore("folders", { keyPath: "id" });
        db.createObjectStore("measurements", { keyPath: "id" });
        // The feed's cursor of version 1 is past the routines it never kept: read it all again.
        if (event.oldVersion >= 1) request.transaction?.objectStore("kv").delete("sync-cursor");
      }
    };
    request.onsuccess = () => {
      // A newer version of the app in another tab upgrades the database: this tab steps aside
      // and reloads as that version.
      request.result.onversionchange = () => {
        request.result.close();
        location.reload();
      };
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return opening;
}

/**
 * Runs `work` in one transaction over `stores`; resolves when the transaction has committed,
 * so a change is on disk before the screen says so.
 * @template T
 * @param {string[]} stores
 * @param {IDBTransactionMode} mode
 * @param {(tx: IDBTransaction) => T | Promise<T>} work
 * @returns {Promise<T>}
 */
export async function transaction(stores, mode, work) {
  const db = await open();
  const tx = db.transaction(stores, mode);
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const result = await work(tx);
  await done;
  return result;
}

/**
 * @template T
 * @param {IDBRequest<T>} request
 * @returns {Promise<T>}
 */
export function settle(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @param {string} store @param {IDBValidKey} key */
export function get(store, key) {
  return transaction([store], "readonly", (tx) => settle(tx.objectStore(store).get(key)));
}

/** @param {string} store */
export function getAll(store) {
  return transaction([store], "readonly", (tx) => settle(tx.objectStore(store).getAll()));
}

/** @param {string} store @param {any} value @param {IDBValidKey} [key] */
export function put(store, value, key) {
  return transaction([store], "readwrite", (tx) => {
    tx.objectStore(store).put(value, key);
  });
}

/** @param {string} store @param {IDBValidKey} key */
export function remove(store, key) {
  return transaction([store], "readwrite", (tx) => {
    tx.objectStore(store).delete(key);
  });
}

/** @param {string} store @param {any[]} values */
export function putMany(store, values) {
  return transaction([store], "readwrite", (tx) => {
    const objects = tx.objectStore(store);
    for (const value of values) objects.put(value);
  });
}

/** Forgets everything on this device (sign-out, account deletion). */
export function clearAll() {
  return transaction(STORES, "readwrite", (tx) => {
    for (const store of STORES) tx.objectStore(store).clear();
  });
}

/** A random UUID (version 4), for ids and idempotency keys. */
export function uuid() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // plain http on a LAN address
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

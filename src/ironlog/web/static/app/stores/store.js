// A tiny observable store: state lives in a few explicit stores, screens subscribe to them.
import { useEffect, useState } from "../html.js";

/**
 * @template {object} T
 * @typedef {{ get: () => T, set: (patch: Partial<T>) => void,
 *             subscribe: (listener: (state: T) => void) => () => void }} Store
 */

/**
 * @template {object} T
 * @param {T} initial
 * @returns {Store<T>}
 */
export function createStore(initial) {
  let state = initial;
  /** @type {Set<(state: T) => void>} */
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = /** @type {T} */ (Object.assign({}, state, patch));
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * Re-renders the calling component whenever the store changes.
 * @template {object} T
 * @param {Store<T>} store
 * @returns {T}
 */
export function useStore(store) {
  const [, setVersion] = useState(0);
  const rendered = store.get();
  useEffect(() => {
    const unsubscribe = store.subscribe(() => setVersion((version) => version + 1));
    // Effects run after the paint: a change made in between would otherwise be missed.
    if (store.get() !== rendered) setVersion((version) => version + 1);
    return unsubscribe;
  }, [store]);
  return rendered;
}

// An input that commits on blur (or Enter) and is never overwritten while the lifter types:
// a change synced in the background re-renders the screen without touching the field in focus.
import { html, useEffect, useRef, useState } from "../html.js";

/**
 * @param {{ value: string, onCommit: (text: string) => void, multiline?: boolean, [key: string]: any }} props
 */
export function CommitInput({ value, onCommit, multiline, ...input }) {
  const [text, setText] = useState(value);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setText(value);
  }, [value]);
  /** @param {any} event */
  const commit = (event) => {
    focused.current = false;
    if (event.target.value !== value) onCommit(event.target.value);
  };
  const handlers = {
    value: text,
    onFocus: () => {
      focused.current = true;
    },
    onInput: (/** @type {any} */ event) => setText(event.target.value),
    onBlur: commit,
    onKeyDown: (/** @type {KeyboardEvent} */ event) => {
      if (event.key === "Enter" && !multiline) /** @type {HTMLInputElement} */ (event.target).blur();
    },
  };
  return multiline ? html`<textarea ...${input} ...${handlers}></textarea>` : html`<input ...${input} ...${handlers} />`;
}

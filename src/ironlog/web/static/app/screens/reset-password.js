// The public screen of a password reset link an administrator made (`#/reset-password?token=`).
import { html, useState } from "../html.js";
import { route } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { useStore } from "../stores/store.js";
import { Field, Message } from "../components/ui.js";

/** POST /auth/password-reset; its 204 has no body to read. @param {string} token @param {string} password */
async function resetPassword(token, password) {
  let response;
  try {
    response = await fetch("/api/v1/auth/password-reset", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ token, new_password: password }),
      credentials: "same-origin",
    });
  } catch {
    throw Object.assign(new Error("offline"), { name: "OfflineError" });
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw { code: problem?.code, problem };
  }
}

export function ResetPassword() {
  const { query } = useStore(route);
  const token = query.get("token") || "";
  const [error, setError] = useState(token ? "" : t.errors.reset_token_invalid);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
    setBusy(true);
    setError("");
    try {
      await resetPassword(token, String(form.get("new_password")));
      setDone(true);
    } catch (problem) {
      setError(errorMessage(problem));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="auth" id="main">
    <div class="auth-card">
      <div class="brand"><img src=${new URL("../../icons/icon.svg", import.meta.url).href} alt="" width="56" height="56" /><span>${t.appName}</span></div>
      <h1>${t.resetPassword}</h1>
      ${done
        ? html`<${Message} kind="success">${t.passwordReset}<//>
            <a class="button primary wide" href="#/signin">${t.signIn}</a>`
        : html`<form onSubmit=${submit} class="stack">
            <${Field} id="reset-password" label=${t.newPassword} name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128" hint=${t.passwordHint} />
            <${Message} kind="error">${error}<//>
            <button class="button primary wide" type="submit" disabled=${busy || !token}>${t.setPassword}</button>
          </form>`}
    </div>
  </main>`;
}

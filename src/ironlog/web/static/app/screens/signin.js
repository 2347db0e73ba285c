// Sign in and create an account (and Google, when the server has it configured).
import { html, useEffect, useState } from "../html.js";
import { route } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { signIn, signUp } from "../stores/session.js";
import { useStore } from "../stores/store.js";
import { Field, Message } from "../components/ui.js";

/** @typedef {{ google_enabled: boolean, registration: "open" | "closed" | "invite" }} AuthConfig */

/** What the server offers (`GET /auth/config`); null until it answered. */
function useAuthConfig() {
  const [config, setConfig] = useState(/** @type {AuthConfig | null} */ (null));
  useEffect(() => {
    fetch("/api/v1/auth/config")
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => setConfig(answer))
      .catch(() => setConfig(null));
  }, []);
  return config;
}

/**
 * @param {{ title: string, submitLabel: string, fields: any, onSubmit: (form: FormData) => Promise<void>, footer: any, initialError?: string, note?: string, hideGoogle?: boolean }} props
 */
function AuthForm({ title, submitLabel, fields, onSubmit, footer, initialError, note, hideGoogle }) {
  const [error, setError] = useState(initialError || "");
  const [busy, setBusy] = useState(false);
  const google = Boolean(useAuthConfig()?.google_enabled) && !hideGoogle;
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await onSubmit(new FormData(/** @type {HTMLFormElement} */ (event.target)));
    } catch (problem) {
      setError(errorMessage(problem));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="auth" id="main">
    <div class="auth-card">
      <div class="brand"><img src=${new URL("../../icons/icon.svg", import.meta.url).href} alt="" width="56" height="56" /><span>${t.appName}</span></div>
      <p class="muted">${t.welcome}</p>
      <h1>${title}</h1>
      <${Message} kind="info">${note || ""}<//>
      <form onSubmit=${submit} class="stack">
        ${fields}
        <${Message} kind="error">${error}<//>
        <button class="button primary wide" type="submit" disabled=${busy}>${submitLabel}</button>
      </form>
      ${google && html`<a class="button wide google" href="/api/v1/auth/google/login?client=web">${t.signInWithGoogle}</a>`}
      <p class="muted center">${footer}</p>
    </div>
  </main>`;
}

export function SignIn() {
  const { query } = useStore(route);
  const code = query.get("error");
  const config = useAuthConfig();
  return html`<${AuthForm}
    title=${t.signIn}
    submitLabel=${t.signIn}
    initialError=${code ? t.errors[code] || t.errors.unknown : ""}
    onSubmit=${(/** @type {FormData} */ form) =>
      signIn({ email: String(form.get("email")), password: String(form.get("password")) })}
    fields=${html`
      <${Field} label=${t.email} name="email" type="email" autocomplete="username" required />
      <${Field} label=${t.password} name="password" type="password" autocomplete="current-password" required />`}
    footer=${config && config.registration !== "open" ? "" : html`${t.noAccount} <a href="#/signup">${t.signUp}</a>`}
  />`;
}

export function SignUp() {
  const { query } = useStore(route);
  const invite = query.get("invite") || undefined;
  const config = useAuthConfig();
  const closed = config?.registration === "closed" || (config?.registration === "invite" && !invite);
  return html`<${AuthForm}
    title=${t.signUp}
    submitLabel=${t.signUp}
    note=${closed ? t.registrationClosed : invite ? t.invitedSignUp : ""}
    hideGoogle=${Boolean(config && config.registration !== "open")}
    onSubmit=${(/** @type {FormData} */ form) =>
      signUp({
        name: String(form.get("name")),
        email: String(form.get("email")),
        password: String(form.get("password")),
        invite,
      })}
    fields=${html`
      <${Field} label=${t.name} name="name" autocomplete="name" required maxlength="100" />
      <${Field} label=${t.email} name="email" type="email" autocomplete="email" required />
      <${Field} label=${t.password} name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="128" hint=${t.passwordHint} />`}
    footer=${html`${t.haveAccount} <a href="#/signin">${t.signIn}</a>`}
  />`;
}

// Administrators only: the server's accounts (disable, enable, reset link) and invite links.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { Message, Page } from "../components/ui.js";
import { errorMessage, t } from "../strings.js";
import { session } from "../stores/session.js";
import { useStore } from "../stores/store.js";

/** @typedef {{ id: string, email: string, name: string, is_admin: boolean, disabled_at: string | null, created_at: string }} AdminUser */

/** A link to hand over, with a copy button. @param {{ label: string, url: string, expires: string }} props */
function LinkBox({ label, url, expires }) {
  const [copied, setCopied] = useState(false);
  return html`<div class="stack">
    <label for="admin-link">${label}</label>
    <input id="admin-link" readonly value=${url} onFocus=${(/** @type {any} */ e) => e.target.select()} />
    <p class="card-meta">${t.linkExpires} ${new Date(expires).toLocaleString()}</p>
    <button type="button" class="button" onClick=${async () => {
      try {
        await navigator.clipboard.writeText(url);
        setCopied(true);
      } catch {
        setCopied(false);
      }
    }}>${copied ? t.copied : t.copy}</button>
  </div>`;
}

export function Users() {
  const { user } = useStore(session);
  const [users, setUsers] = useState(/** @type {AdminUser[]} */ ([]));
  const [error, setError] = useState("");
  const [link, setLink] = useState(/** @type {{ label: string, url: string, expires: string } | null} */ (null));

  const load = async () => {
    try {
      const page = await api.get("/admin/users?size=100");
      setUsers(page.items);
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  /** @param {() => Promise<void>} action */
  const run = async (action) => {
    setError("");
    try {
      await action();
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  const invite = () =>
    run(async () => {
      const answer = await api.request("POST", "/admin/invites", { body: {} });
      setLink({ label: t.inviteLink, url: answer.data.url, expires: answer.data.expires_at });
    });
  /** @param {AdminUser} account @param {"disable" | "enable"} action */
  const toggle = (account, action) =>
    run(async () => {
      await api.request("POST", `/admin/users/${account.id}/${action}`, { body: {} });
      await load();
    });
  /** @param {AdminUser} account */
  const resetLink = (account) =>
    run(async () => {
      const answer = await api.request("POST", `/admin/users/${account.id}/reset-link`, { body: {} });
      setLink({ label: `${t.resetLinkFor} ${account.email}`, url: answer.data.url, expires: answer.data.expires_at });
    });

  return html`<${Page} title=${t.users} back="/settings">
    <${Message} kind="error">${error}<//>
    <section class="card stack">
      <button type="button" class="button primary" onClick=${invite}>${t.createInvite}</button>
      ${link && html`<${LinkBox} ...${link} />`}
    </section>
    <ul class="list" aria-label=${t.users}>
      ${users.map(
        (account) => html`<li class="card stack" key=${account.id}>
          <h2>${account.name} <span class="muted">${account.email}</span></h2>
          <p class="card-meta">${[account.is_admin ? t.admin : "", account.disabled_at ? t.disabled : ""].filter(Boolean).join(" · ")}</p>
          <div class="actions">
            ${account.id !== user?.id &&
            html`<button type="button" class="button" aria-label=${`${account.disabled_at ? t.enable : t.disable} ${account.email}`}
              onClick=${() => toggle(account, account.disabled_at ? "enable" : "disable")}>${account.disabled_at ? t.enable : t.disable}</button>`}
            <button type="button" class="button" aria-label=${`${t.makeResetLink} ${account.email}`} onClick=${() => resetLink(account)}>${t.makeResetLink}</button>
          </div>
        </li>`,
      )}
    </ul>
  <//>`;
}

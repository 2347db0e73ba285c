// The app's entry point: the service worker, the stores, then the screen for the URL.
import { Shell } from "./components/shell.js";
import { html, render, useEffect } from "./html.js";
import { match, navigate, route } from "./router.js";
import { ROUTES } from "./routes.js";
import { t } from "./strings.js";
import * as features from "./stores/features.js";
import * as body from "./stores/body.js";
import * as history from "./stores/history.js";
import { count as countOutbox, watch } from "./stores/outbox.js";
import * as prefs from "./stores/prefs.js";
import * as routines from "./stores/routines.js";
import { session, start } from "./stores/session.js";
import { useStore } from "./stores/store.js";
import * as timer from "./stores/timer.js";
import * as workout from "./stores/workout.js";

function App() {
  const { status } = useStore(session);
  const { path } = useStore(route);
  let found = null;
  for (const candidate of ROUTES) {
    const params = match(candidate.path, path);
    if (params) {
      found = { route: candidate, params };
      break;
    }
  }
  const isPublic = found?.route.public ?? false;
  useEffect(() => {
    if (status === "signed-out" && !isPublic) navigate("/signin");
    if (status === "signed-in" && isPublic) navigate("/");
  }, [status, isPublic]);
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [path]);
  if (status === "loading") return html`<p class="boot">${t.appName}</p>`;
  if (!found) return html`<${Shell}><p class="page">${t.notFound}</p><//>`;
  const Screen = found.route.screen;
  if (isPublic) return status === "signed-out" ? html`<${Screen} ...${found.params} />` : null;
  if (status !== "signed-in") return null;
  return html`<${Shell}><${Screen} ...${found.params} /><//>`;
}

/** What a signed-in session needs: everything from the device first, then from the server. */
async function whenSignedIn() {
  // Until the queue on the device is counted the status cannot say "Saved"; count it at once.
  void countOutbox();
  await Promise.all([workout.load(), history.load(), routines.load(), body.load(), timer.load()]);
  // The outbox first: it counts what waits on the device (the status must never say "Saved"
  // over unsent changes) and sends it as soon as the server answers, whatever the rest waits for.
  watch();
  await Promise.all([features.load(), prefs.load()]);
  void history.refresh();
}

function trackConnection() {
  const update = () => session.set({ online: navigator.onLine });
  window.addEventListener("online", () => {
    update();
    void history.refresh();
  });
  window.addEventListener("offline", update);
  let refreshedAt = Date.now();
  document.addEventListener("visibilitychange", () => {
    // Back to the app after a while: what other devices did meanwhile.
    if (document.visibilityState === "visible" && Date.now() - refreshedAt > 60_000) {
      refreshedAt = Date.now();
      if (session.get().status === "signed-in") void history.refresh();
    }
  });
}

async function boot() {
  trackConnection();
  let started = false;
  session.subscribe((state) => {
    if (state.status === "signed-in" && !started) {
      started = true;
      void whenSignedIn();
    }
    if (state.status === "signed-out") started = false;
  });
  render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById("app")));
  await start();
  // After the first screen: the precache must not compete with what the lifter waits for.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
}

void boot();

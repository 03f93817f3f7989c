import "./style.css";
import { ApiError, Unauthenticated } from "./api";
import { html, render } from "./html";
import { interceptLinks, navigate, type Params } from "./router";
import { sessionToken } from "./session";
import { dashboardView } from "./views/dashboard";
import { authenticateView, loginView } from "./views/login";
import { orderView } from "./views/order";
import { subscriptionsView } from "./views/subscriptions";
import { ticketsView, ticketView } from "./views/tickets";

type View = (root: HTMLElement, params: Params) => Promise<void>;

const PUBLIC: [RegExp, View][] = [
  [/^\/account\/login$/, loginView],
  [/^\/account\/authenticate$/, authenticateView],
];

const SIGNED_IN: [RegExp, View][] = [
  [/^\/account\/?$/, dashboardView],
  [/^\/account\/orders\/(?<id>[^/]+)$/, orderView],
  [/^\/account\/tickets$/, ticketsView],
  [/^\/account\/tickets\/(?<id>[^/]+)$/, ticketView],
  [/^\/account\/subscriptions$/, subscriptionsView],
];

function match(routes: [RegExp, View][], path: string): [View, Params] | null {
  for (const [pattern, view] of routes) {
    const found = pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(
        Object.entries(found.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
      );
      return [view, params];
    }
  }
  return null;
}

async function route(root: HTMLElement): Promise<void> {
  const path = window.location.pathname;
  const publicView = match(PUBLIC, path);
  if (publicView) return publicView[0](root, publicView[1]);
  if (!sessionToken()) return navigate("/account/login", { replace: true });
  const view = match(SIGNED_IN, path);
  if (!view) return navigate("/account", { replace: true });
  render(root, html`<p class="loading">Loading…</p>`);
  return view[0](root, view[1]);
}

async function show(root: HTMLElement): Promise<void> {
  try {
    await route(root);
  } catch (error) {
    if (error instanceof Unauthenticated) return navigate("/account/login", { replace: true });
    const message = error instanceof ApiError ? error.message : "Something went wrong.";
    render(root, html`<main><p role="alert">${message}</p></main>`);
    if (!(error instanceof ApiError)) console.error(error);
  }
}

const root = document.querySelector<HTMLElement>("#app")!;
interceptLinks(root);
window.addEventListener("popstate", () => void show(root));
// Errors thrown in a form's handler land here, too.
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof Unauthenticated) navigate("/account/login", { replace: true });
  else if (event.reason instanceof ApiError) {
    const alert = root.querySelector<HTMLElement>("[role=alert]");
    if (alert) alert.textContent = event.reason.message;
  }
});
void show(root);

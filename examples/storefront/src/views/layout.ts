import { execute } from "../api";
import { html, render, type SafeHtml } from "../html";
import { Logout } from "../operations";
import { navigate } from "../router";
import { clearSession } from "../session";

/** The signed-in frame: navigation, log out, and the view's content. */
export function layout(root: HTMLElement, content: SafeHtml): void {
  render(
    root,
    html`<header>
        <nav>
          <a href="/account" data-link>Orders</a>
          <a href="/account/subscriptions" data-link>Subscriptions</a>
          <a href="/account/tickets" data-link>Support</a>
          <button type="button" id="logout">Log out</button>
        </nav>
      </header>
      <main>${content}</main>`,
  );
  root.querySelector("#logout")?.addEventListener("click", async () => {
    try {
      await execute(Logout);
    } finally {
      clearSession();
      navigate("/account/login");
    }
  });
}

export function showAlert(root: HTMLElement, message: string): void {
  const alert = root.querySelector<HTMLElement>("[role=alert]");
  if (alert) alert.textContent = message;
}

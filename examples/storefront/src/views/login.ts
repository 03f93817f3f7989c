import { describeErrors, execute } from "../api";
import { html, render } from "../html";
import { RequestCode, VerifyCode } from "../operations";
import { navigate } from "../router";
import { saveSession } from "../session";
import { showAlert } from "./layout";

/** Login by code: an email, then the code sent to it. */
export async function loginView(root: HTMLElement): Promise<void> {
  render(
    root,
    html`<main class="narrow">
      <h1>Log in</h1>
      <form id="request-code">
        <label>Email <input name="email" type="email" autocomplete="email" required /></label>
        <button type="submit">Send code</button>
      </form>
      <form id="verify-code" hidden>
        <p id="code-sent"></p>
        <label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" required /></label>
        <button type="submit">Log in</button>
      </form>
      <p role="alert"></p>
    </main>`,
  );
  const requestForm = root.querySelector<HTMLFormElement>("#request-code")!;
  const verifyForm = root.querySelector<HTMLFormElement>("#verify-code")!;
  let email = "";

  requestForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    email = String(new FormData(requestForm).get("email") ?? "").trim();
    const { requestLoginCode } = await execute(RequestCode, { email });
    if (requestLoginCode.userErrors.length) {
      showAlert(root, describeErrors(requestLoginCode.userErrors));
      return;
    }
    showAlert(root, "");
    root.querySelector("#code-sent")!.textContent = `We sent a code to ${email}.`;
    requestForm.hidden = true;
    verifyForm.hidden = false;
    verifyForm.querySelector("input")?.focus();
  });

  verifyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = String(new FormData(verifyForm).get("code") ?? "").trim();
    const { verifyLoginCode } = await execute(VerifyCode, { email, code });
    if (!verifyLoginCode.session) {
      showAlert(root, describeErrors(verifyLoginCode.userErrors));
      return;
    }
    saveSession(verifyLoginCode.session.token);
    navigate("/account", { replace: true });
  });
}

/** Where sign-in links land: the token is in the fragment, which no server sees. */
export async function authenticateView(_root: HTMLElement): Promise<void> {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("session_token");
  if (token) saveSession(token);
  // Replaced, so the token leaves the address bar and the history.
  navigate(token ? "/account" : "/account/login", { replace: true });
}

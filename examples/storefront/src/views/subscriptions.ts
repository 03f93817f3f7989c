import { describeErrors, execute, type UserError } from "../api";
import { calendarDay, label, money } from "../format";
import type { SubscriptionFieldsFragment } from "../gql/graphql";
import { html, type SafeHtml } from "../html";
import { SkipOrder, Subscriptions, UnpauseSubscription, UnskipOrder } from "../operations";
import { layout, showAlert } from "./layout";

interface Payload {
  subscription?: SubscriptionFieldsFragment | null;
  userErrors: readonly UserError[];
}

/** Subscriptions with their next order date; the buttons `actions` allows. */
export async function subscriptionsView(root: HTMLElement): Promise<void> {
  const { me } = await execute(Subscriptions);
  const subscriptions = me?.subscriptions.edges.map(({ node }) => node) ?? [];
  layout(
    root,
    html`<h1>Subscriptions</h1>
      <p role="alert"></p>
      ${subscriptions.length
        ? html`<ul id="subscriptions">
            ${subscriptions.map((subscription) => html`<li>${card(subscription)}</li>`)}
          </ul>`
        : html`<p>No subscriptions.</p>`}`,
  );
  root.querySelector("#subscriptions")?.addEventListener("click", async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    const item = button?.closest("li");
    const id = button?.dataset.subscription;
    if (!button || !item || !id) return;
    button.disabled = true;
    const payload = await act(button.dataset.action ?? "", id, button.dataset.date ?? "");
    if (payload.subscription) {
      item.innerHTML = card(payload.subscription).markup;
      showAlert(root, "");
    } else {
      button.disabled = false;
      showAlert(root, describeErrors(payload.userErrors));
    }
  });
}

async function act(action: string, subscriptionId: string, date: string): Promise<Payload> {
  switch (action) {
    case "skip":
      return (await execute(SkipOrder, { subscriptionId })).skipOrder;
    case "unskip":
      return (await execute(UnskipOrder, { subscriptionId, date })).unskipOrder;
    case "unpause":
      return (await execute(UnpauseSubscription, { subscriptionId })).unpauseSubscription;
    default:
      throw new Error(`Unknown action ${action}`);
  }
}

function card(subscription: SubscriptionFieldsFragment): SafeHtml {
  const { actions, frequency } = subscription;
  const products = subscription.lines
    .map((line) => `${line.quantity} × ${line.variant.product.title} (${line.variant.title})`)
    .join(", ");
  const skipped = subscription.schedule.filter((order) => order.skipped);
  const button = (action: string, text: string, date = "") =>
    html`<button type="button" data-action="${action}" data-subscription="${subscription.id}"
      data-date="${date}">${text}</button>`;
  return html`<article class="subscription" data-status="${subscription.status}">
    <h2>${products}</h2>
    <p>
      <span class="status">${label(subscription.status)}</span> · every ${frequency.intervalCount}
      ${label(frequency.interval).toLowerCase()}(s)
      ${subscription.pausedUntil ? html` · paused until ${calendarDay(subscription.pausedUntil)}` : null}
    </p>
    <p class="next-order">
      ${subscription.nextOrderDate
        ? html`Next order: <time>${calendarDay(subscription.nextOrderDate)}</time>`
        : html`No order coming`}
      ${subscription.upcomingOrder ? html` · ${money(subscription.upcomingOrder.total)}` : null}
    </p>
    <p class="actions">
      ${actions.canSkip ? button("skip", "Skip next order") : null}
      ${actions.canUnskip
        ? skipped.map((order) => button("unskip", `Restore ${calendarDay(order.date)}`, order.date))
        : null}
      ${actions.canUnpause ? button("unpause", "Resume") : null}
    </p>
  </article>`;
}

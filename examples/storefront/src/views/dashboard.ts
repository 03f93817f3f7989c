import { execute } from "../api";
import { day, label, money } from "../format";
import { html } from "../html";
import { Dashboard } from "../operations";
import { orderPath } from "../router";
import { layout } from "./layout";

/** The account's front page: who is signed in, and the orders, newest first. */
export async function dashboardView(root: HTMLElement): Promise<void> {
  const after = new URLSearchParams(window.location.search).get("after");
  const { shop, me } = await execute(Dashboard, { after });
  if (!me) throw new Error("Not signed in.");
  const name = [me.firstName, me.lastName].filter(Boolean).join(" ") || me.email;
  const orders = me.orders.edges.map(({ node }) => node);
  const { hasNextPage, endCursor } = me.orders.pageInfo;
  layout(
    root,
    html`<h1>${shop.name}: your account</h1>
      <p id="welcome">Signed in as ${name} (${me.email})</p>
      <p>
        <a href="/account/subscriptions" data-link>${me.subscriptions.edges.length} active subscriptions</a>
        · <a href="/account/tickets" data-link>${me.tickets.edges.length} open support requests</a>
      </p>
      <h2>Orders</h2>
      ${orders.length
        ? html`<table id="orders">
            <thead><tr><th>Order</th><th>Placed</th><th>Status</th><th>Delivery</th><th>Total</th></tr></thead>
            <tbody>
              ${orders.map(
                (order) => html`<tr>
                  <td><a href="${orderPath(order.id)}" data-link>${order.number}</a></td>
                  <td>${day(order.placedAt)}</td>
                  <td>${label(order.status)}</td>
                  <td>${label(order.fulfillmentStatus)}</td>
                  <td>${money(order.summary.total)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No orders yet.</p>`}
      ${hasNextPage && endCursor
        ? html`<p><a href="/account?after=${encodeURIComponent(endCursor)}" data-link>Older orders</a></p>`
        : null}`,
  );
}

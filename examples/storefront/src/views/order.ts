import { execute } from "../api";
import { day, label, money } from "../format";
import { html, safeUrl } from "../html";
import { Order } from "../operations";
import type { Params } from "../router";
import { layout } from "./layout";

/** One order: lines, totals, the delivery timeline and the invoice link. */
export async function orderView(root: HTMLElement, params: Params): Promise<void> {
  const { node: order } = await execute(Order, { id: params.id ?? "" });
  if (order?.__typename !== "Order") {
    layout(root, html`<h1>Order not found</h1><p><a href="/account" data-link>Back to orders</a></p>`);
    return;
  }
  const { summary, shippingAddress: address } = order;
  layout(
    root,
    html`<p><a href="/account" data-link>← Orders</a></p>
      <h1 id="order-number">Order ${order.number}</h1>
      <p>Placed ${day(order.placedAt)} · ${label(order.status)} · ${label(order.fulfillmentStatus)}</p>
      <table id="line-items">
        <thead><tr><th>Item</th><th>Quantity</th><th>Total</th></tr></thead>
        <tbody>
          ${order.lineItems.map(
            (line) => html`<tr>
              <td>${line.title}${line.variantTitle ? html` <small>${line.variantTitle}</small>` : null}</td>
              <td>${line.quantity}</td>
              <td>${money(line.totalPrice)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <dl class="summary">
        <dt>Subtotal</dt><dd>${money(summary.subtotal)}</dd>
        ${summary.discounts.map(
          (discount) => html`<dt>${discount.code ?? discount.title}</dt><dd>−${money(discount.amount)}</dd>`,
        )}
        <dt>Shipping</dt><dd>${money(summary.shipping)}</dd>
        <dt>Tax</dt><dd>${money(summary.tax)}</dd>
        <dt>Total</dt><dd id="order-total">${money(summary.total)}</dd>
      </dl>
      <p>
        <a id="invoice" href="${safeUrl(order.invoice.url)}" target="_blank" rel="noopener noreferrer">
          Invoice ${order.invoice.number}
        </a>
      </p>
      ${address
        ? html`<h2>Ships to</h2>
            <address>
              ${[address.firstName, address.lastName].filter(Boolean).join(" ")}<br />
              ${address.line1}${address.line2 ? html`, ${address.line2}` : null}<br />
              ${address.city} ${address.province ?? ""} ${address.postalCode ?? ""} ${address.countryCode}
            </address>`
        : null}
      <h2>Timeline</h2>
      <ol id="timeline">
        ${order.timeline.map(
          (step) => html`<li>
            ${day(step.happenedAt)}: ${label(step.status)}${step.message ? html` · ${step.message}` : null}
            ${step.reason ? html` · ${step.reason}` : null}
            ${step.trackingUrl
              ? html` · <a href="${safeUrl(step.trackingUrl)}" target="_blank" rel="noopener noreferrer">
                  ${step.carrier ?? "Track"} ${step.trackingNumber ?? ""}</a>`
              : null}
          </li>`,
        )}
      </ol>`,
  );
}

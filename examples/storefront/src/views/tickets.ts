import { describeErrors, execute } from "../api";
import { day, label } from "../format";
import type { TicketFieldsFragment } from "../gql/graphql";
import { html } from "../html";
import { ReplyToTicket, Ticket, Tickets } from "../operations";
import { orderPath, type Params, ticketPath } from "../router";
import { layout, showAlert } from "./layout";

/** Every support request, newest first. */
export async function ticketsView(root: HTMLElement): Promise<void> {
  const { me } = await execute(Tickets);
  const tickets = me?.tickets.edges.map(({ node }) => node) ?? [];
  layout(
    root,
    html`<h1>Support</h1>
      ${tickets.length
        ? html`<ul id="tickets">
            ${tickets.map(
              (ticket) => html`<li>
                <a href="${ticketPath(ticket.id)}" data-link>${ticket.number}: ${ticket.subject}</a>
                <span class="status">${label(ticket.status)}</span> · updated ${day(ticket.updatedAt)}
              </li>`,
            )}
          </ul>`
        : html`<p>No support requests.</p>`}`,
  );
}

/** One conversation, and the reply box while it is not closed. */
export async function ticketView(root: HTMLElement, params: Params): Promise<void> {
  const { node } = await execute(Ticket, { id: params.id ?? "" });
  if (node?.__typename !== "Ticket") {
    layout(root, html`<h1>Request not found</h1>`);
    return;
  }
  showTicket(root, node);
}

function showTicket(root: HTMLElement, ticket: TicketFieldsFragment): void {
  layout(
    root,
    html`<p><a href="/account/tickets" data-link>← Support</a></p>
      <h1>${ticket.number}: ${ticket.subject}</h1>
      <p>
        <span class="status">${label(ticket.status)}</span> · opened ${day(ticket.createdAt)}
        ${ticket.order
          ? html` · about order <a href="${orderPath(ticket.order.id)}" data-link>${ticket.order.number}</a>`
          : null}
      </p>
      <ol id="messages">
        ${ticket.messages.map(
          (message) => html`<li class="${message.author === "AGENT" ? "agent" : "customer"}">
            <strong>${message.author === "AGENT" ? "Support" : "You"}</strong>, ${day(message.createdAt)}
            <p>${message.body}</p>
          </li>`,
        )}
      </ol>
      ${ticket.status === "CLOSED"
        ? html`<p>This request is closed.</p>`
        : html`<form id="reply">
            <label>Reply <textarea name="message" rows="4" required></textarea></label>
            <button type="submit">Send reply</button>
          </form>`}
      <p role="alert"></p>`,
  );
  const form = root.querySelector<HTMLFormElement>("#reply");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = String(new FormData(form).get("message") ?? "");
    const { replyToTicket } = await execute(ReplyToTicket, { ticketId: ticket.id, message });
    if (replyToTicket.ticket) showTicket(root, replyToTicket.ticket);
    else showAlert(root, describeErrors(replyToTicket.userErrors));
  });
}

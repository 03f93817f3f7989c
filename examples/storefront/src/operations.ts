// The operations the page sends, from docs/queries.md. `npm run codegen` types each
// one from ../../schema.graphql; the views use those types.
import { graphql } from "./gql";

export const RequestCode = graphql(`
  mutation RequestCode($email: String!) {
    requestLoginCode(input: { email: $email }) {
      userErrors { code field message }
    }
  }
`);

export const VerifyCode = graphql(`
  mutation VerifyCode($email: String!, $code: String!) {
    verifyLoginCode(input: { email: $email, code: $code }) {
      session { token expiresAt }
      customer { email firstName }
      userErrors { code field message }
    }
  }
`);

export const Logout = graphql(`
  mutation Logout {
    logout(input: { allSessions: false }) {
      userErrors { code message }
    }
  }
`);

export const Dashboard = graphql(`
  query Dashboard($after: String) {
    shop { name }
    me {
      firstName lastName email
      orders(first: 10, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node {
          id number placedAt status fulfillmentStatus
          summary { total { amount currencyCode } }
        } }
      }
      tickets(first: 10, status: OPEN) { edges { node { id } } }
      subscriptions(first: 10, status: ACTIVE) { edges { node { id } } }
    }
  }
`);

export const Order = graphql(`
  query Order($id: ID!) {
    node(id: $id) {
      __typename
      ... on Order {
        id number placedAt status fulfillmentStatus
        lineItems { id title variantTitle quantity totalPrice { amount currencyCode } }
        summary {
          subtotal { amount currencyCode }
          discounts { code title amount { amount currencyCode } }
          shipping { amount currencyCode }
          tax { amount currencyCode }
          total { amount currencyCode }
        }
        timeline { status happenedAt message carrier trackingNumber trackingUrl reason }
        shippingAddress { firstName lastName line1 line2 city province postalCode countryCode }
        invoice { number url }
      }
    }
  }
`);

export const Tickets = graphql(`
  query Tickets {
    me {
      tickets(first: 20) {
        edges { node { id number subject status updatedAt } }
      }
    }
  }
`);

export const TicketFields = graphql(`
  fragment TicketFields on Ticket {
    id number subject status createdAt
    order { id number }
    messages { id author body createdAt }
  }
`);

export const Ticket = graphql(`
  query Ticket($id: ID!) {
    node(id: $id) { __typename ... on Ticket { ...TicketFields } }
  }
`);

export const ReplyToTicket = graphql(`
  mutation ReplyToTicket($ticketId: ID!, $message: String!) {
    replyToTicket(input: { ticketId: $ticketId, message: $message }) {
      ticket { ...TicketFields }
      userErrors { code field message }
    }
  }
`);

export const SubscriptionFields = graphql(`
  fragment SubscriptionFields on Subscription {
    id status nextOrderDate pausedUntil
    frequency { interval intervalCount }
    lines { id quantity oneTime variant { title product { title } } }
    upcomingOrder { total { amount currencyCode } }
    schedule(first: 4) { date skipped }
    actions { canSkip canUnskip canUnpause }
  }
`);

export const Subscriptions = graphql(`
  query Subscriptions {
    me {
      subscriptions(first: 20) { edges { node { ...SubscriptionFields } } }
    }
  }
`);

export const SkipOrder = graphql(`
  mutation SkipOrder($subscriptionId: ID!) {
    skipOrder(input: { subscriptionId: $subscriptionId, cycles: 1 }) {
      subscription { ...SubscriptionFields }
      userErrors { code field message }
    }
  }
`);

export const UnskipOrder = graphql(`
  mutation UnskipOrder($subscriptionId: ID!, $date: Date!) {
    unskipOrder(input: { subscriptionId: $subscriptionId, date: $date }) {
      subscription { ...SubscriptionFields }
      userErrors { code field message }
    }
  }
`);

export const UnpauseSubscription = graphql(`
  mutation UnpauseSubscription($subscriptionId: ID!) {
    unpauseSubscription(input: { subscriptionId: $subscriptionId }) {
      subscription { ...SubscriptionFields }
      userErrors { code field message }
    }
  }
`);

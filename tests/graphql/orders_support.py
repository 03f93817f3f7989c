"""The order-history query shared by the order test modules."""

from __future__ import annotations

ORDER_FIELDS = """
fragment OrderFields on Order {
  id number placedAt status fulfillmentStatus canCancel
  lineItems {
    id title variantTitle sku quantity
    unitPrice { amount currencyCode } totalPrice { amount currencyCode }
    variant { id title product { title } }
  }
  timeline { status happenedAt message trackingNumber trackingUrl carrier }
  summary {
    subtotal { amount currencyCode }
    discounts { code title amount { amount currencyCode } }
    shipping { amount currencyCode }
    tax { amount currencyCode }
    total { amount currencyCode }
  }
  contact { email phone }
  paymentMethod { brand last4 }
  shippingAddress {
    firstName lastName company line1 line2 city province postalCode countryCode phone
  }
  billingAddress { line1 city countryCode }
  shippingMethod { title price { amount currencyCode } }
  invoice { number issuedAt url }
}
"""
ORDERS = (
    """
query Orders($first: Int, $after: String, $last: Int, $before: String) {
  me {
    orders(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { ...OrderFields } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
    + ORDER_FIELDS
)

/** Order views and actions shaped like docs/protocol.md, for the panel tests. */

/** An unshipped two-item US order (the buyer may have asked to cancel). */
export function usOrder({ buyerRequested = false, ...overrides } = {}) {
  return {
    orderId: "114-7395082-5521640",
    account: "sandbox",
    marketplace: { id: "ATVPDKIKX0DER", code: "US", currency: "USD", decimals: 2, language: "en" },
    status: "UNSHIPPED",
    channel: "FBM",
    purchaseDate: "2026-11-20T14:03:11Z",
    latestShipDate: "2026-11-23T07:59:59Z",
    buyerCancellationRequest: buyerRequested
      ? { requested: true, reason: "Ordered by mistake", requestedAt: "2026-11-21T09:12:00Z" }
      : { requested: false, reason: null, requestedAt: null },
    items: [
      { orderItemCode: "45678901234567", sku: "MUG-BLUE-350", asin: "B0C1234567", title: "Stoneware mug, blue, 350 ml",
        quantityOrdered: 2, quantityShipped: 0, quantityCancelled: 0,
        components: [
          { type: "Principal", charged: "25.98", refunded: "0.00", refundable: "25.98" },
          { type: "Shipping", charged: "4.99", refunded: "0.00", refundable: "4.99" },
          { type: "Tax", charged: "2.08", refunded: "0.00", refundable: "2.08" },
          { type: "ShippingTax", charged: "0.40", refunded: "0.00", refundable: "0.40" },
        ] },
      { orderItemCode: "45678901234568", sku: "COASTER-4", asin: "B0C7654321", title: "Cork coasters, set of 4",
        quantityOrdered: 1, quantityShipped: 0, quantityCancelled: 0,
        components: [
          { type: "Principal", charged: "9.99", refunded: "0.00", refundable: "9.99" },
          { type: "Shipping", charged: "0.00", refunded: "0.00", refundable: "0.00" },
          { type: "Tax", charged: "0.80", refunded: "0.00", refundable: "0.80" },
          { type: "ShippingTax", charged: "0.00", refunded: "0.00", refundable: "0.00" },
        ] },
    ],
    totals: { charged: "44.24", refunded: "0.00", refundable: "44.24" },
    actions: {
      refund: { allowed: true, reason: null },
      cancel: { allowed: true, reason: null, defaultReason: buyerRequested ? "BuyerCanceled" : null, countsAgainstCancelRate: !buyerRequested },
    },
    fulfillmentOrder: null,
    fetchedAt: "2026-11-26T10:15:02Z",
    cached: false,
    ...overrides,
  };
}

/** The same order as Amazon fulfils it (FBA): no seller actions. */
export function fbaOrder() {
  const why = "Amazon fulfils this order (FBA): Amazon customer service handles its refunds and it cannot be cancelled by the seller.";
  return usOrder({ channel: "FBA", status: "SHIPPED", actions: {
    refund: { allowed: false, reason: why },
    cancel: { allowed: false, reason: why, defaultReason: null, countsAgainstCancelRate: true },
  } });
}

/** An action object in a given state. */
export function actionOf(body, state, extra = {}) {
  return {
    id: "act_01JD7Q3M9Z8X", kind: body.mode ? "refund" : "cancel", orderId: body.orderId, account: "sandbox",
    state, currency: "USD", total: extra.total ?? "14.03", reason: body.reason,
    items: body.items ?? [], note: body.note ?? "", ticketUrl: "", agent: "Anna",
    feedId: "50012019876", messageId: 3,
    amazon: { resultCode: null, messageCode: null, description: null, ...extra.amazon },
    warnings: extra.warnings ?? [], confirmation: "SPD-7Q3M9Z8X",
    history: [{ state: "accepted", at: "2026-11-26T10:15:03.120Z" }, { state, at: "2026-11-26T10:15:04.002Z" }],
    createdAt: "2026-11-26T10:15:03.120Z", updatedAt: extra.updatedAt ?? `2026-11-26T10:15:0${["accepted", "queued", "submitted", "processing", "succeeded", "failed"].indexOf(state) + 3}.000Z`,
  };
}

/**
 * A web-shop order Amazon fulfils (MCF): no Amazon money, cancelled through MCF; `title` is what
 * FBA Inventory named its line (null: the lookup gave none).
 */
export function mcfOrder({ title = null } = {}) {
  const why = "This is a Multi-Channel Fulfillment order: the buyer paid on your own sales channel, so refund them there.";
  return usOrder({
    orderId: "113-2098417-6650382", channel: "MCF", latestShipDate: null,
    items: [{ orderItemCode: "mcf-1", sku: "FBA-BTL-INS-32", asin: null, title,
      quantityOrdered: 2, quantityShipped: 0, quantityCancelled: 0, components: [] }],
    totals: { charged: "0.00", refunded: "0.00", refundable: "0.00" },
    actions: {
      refund: { allowed: false, reason: why },
      cancel: { allowed: true, reason: null, defaultReason: null, countsAgainstCancelRate: false },
    },
    fulfillmentOrder: { sellerFulfillmentOrderId: "113-2098417-6650382", status: "RECEIVED" },
  });
}

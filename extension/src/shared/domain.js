/**
 * The lists spdesk's domain is made of, each defined once for the whole extension: tests tie the
 * locales, templates, dialogs and the companion's source to them.
 */

/**
 * An Amazon order id: 3-7-7 ASCII digits. A digit or hyphen on either side means a longer run
 * (a phone, tracking or reference number), not an order id; a trailing "." or "," still ends one.
 */
export const ORDER_ID_SOURCE = "(?<![0-9-])[0-9]{3}-[0-9]{7}-[0-9]{7}(?![0-9-])";

/** Exactly one order id and nothing else (messages, URLs, stored state). */
export const ORDER_ID_EXACT = new RegExp(`^${ORDER_ID_SOURCE}$`);

/** True when `value` is an order id and nothing else. */
export function isOrderId(value) {
  return typeof value === "string" && ORDER_ID_EXACT.test(value);
}

/** Amazon's AdjustmentReason values (Order Adjustment feed), the common ones first. */
export const REFUND_REASONS = Object.freeze([
  "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem", "ProductOutofStock",
  "NoInventory", "CustomerCancel", "PriceError", "CustomerAddressIncorrect", "Exchange",
  "Undeliverable", "RefusedDelivery", "CarrierCreditDecision", "CarrierCoverageFailure",
  "Abandoned", "RiskAssessmentInformationNotValid", "TransactionRecord", "Other",
]);

/** Amazon's CancelReason values (Order Acknowledgement feed) an agent may choose. */
export const CANCEL_REASONS = Object.freeze([
  "BuyerCanceled", "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "GeneralAdjustment",
]);

/** The reason under which a restocking fee may be withheld (Amazon allows it only for returns). */
export const RESTOCKING_REASON = "CustomerReturn";

/** Languages of the extension's interface and of the reply templates. */
export const LANGUAGES = Object.freeze(["en", "de", "fr", "es", "it", "ja"]);

/** Money components an order view or an action may name (Orders, Finances and the feeds' names). */
export const COMPONENT_TYPES = Object.freeze([
  "Principal", "Shipping", "Tax", "ShippingTax", "GiftWrap", "GiftWrapTax", "COD", "CODTax", "Other",
  "RestockingFee", "RestockingFeeTax", "ReturnShipping", "Goodwill", "FreeReplacementReturnShipping",
]);

/** The components a partial refund may name (the companion refuses the others). */
export const REFUND_COMPONENTS = Object.freeze(["Principal", "Shipping", "Tax", "ShippingTax", "GiftWrap", "GiftWrapTax"]);

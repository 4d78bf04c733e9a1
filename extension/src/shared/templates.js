/** Reply templates: the policy-safe confirmation an agent inserts into the helpdesk reply box. */
import { LANGUAGES } from "./domain.js";
import { formatMoney } from "./money.js";

/** Template keys the options page can override, per language (cancelMcf: a web-shop order). */
export const TEMPLATE_KEYS = ["refund", "cancel", "cancelMcf"];

/** Placeholders a template may use, with what each becomes (for the options page). */
export const PLACEHOLDERS = {
  orderId: "Amazon order id, e.g. 113-4820571-0038214",
  amount: "Refunded amount in the buyer's currency, e.g. $14.03",
  reason: "Short reason in the reply's language, e.g. \"returned item\"",
  confirmation: "spdesk reference of the action, e.g. SPD-7Q3M9Z8X",
  items: "One line per item: \"- Title × quantity\"",
};

// Only what happened, Amazon's usual refund time and a reference: no dates promised, no buyer data.
// An MCF buyer bought in the seller's own shop: Amazon sends them no cancellation email and holds
// no money of theirs, so the reply says that the seller refunds them.
export const DEFAULT_TEMPLATES = {
  en: {
    refund: "We have issued a refund of {amount} for your order {orderId} ({reason}). Amazon usually shows the refund on your original payment method within 3-5 business days.\nReference: {confirmation}",
    cancel: "We have cancelled the following items of your order {orderId} ({reason}):\n{items}\nAmazon will confirm the cancellation by email.\nReference: {confirmation}",
    cancelMcf: "We have cancelled the following items of your order {orderId} ({reason}):\n{items}\nThey will not be shipped, and we will refund what you paid for them to your original payment method.\nReference: {confirmation}",
  },
  de: {
    refund: "Wir haben für Ihre Bestellung {orderId} eine Erstattung über {amount} veranlasst ({reason}). Amazon zeigt die Erstattung in der Regel innerhalb von 3-5 Werktagen auf Ihrem ursprünglichen Zahlungsmittel an.\nReferenz: {confirmation}",
    cancel: "Wir haben die folgenden Artikel Ihrer Bestellung {orderId} storniert ({reason}):\n{items}\nAmazon bestätigt die Stornierung per E-Mail.\nReferenz: {confirmation}",
    cancelMcf: "Wir haben die folgenden Artikel Ihrer Bestellung {orderId} storniert ({reason}):\n{items}\nSie werden nicht versendet, und wir erstatten Ihnen den dafür gezahlten Betrag auf Ihr ursprüngliches Zahlungsmittel.\nReferenz: {confirmation}",
  },
  fr: {
    refund: "Nous avons effectué un remboursement de {amount} pour votre commande {orderId} ({reason}). Amazon affiche généralement le remboursement sur votre moyen de paiement d'origine sous 3 à 5 jours ouvrés.\nRéférence : {confirmation}",
    cancel: "Nous avons annulé les articles suivants de votre commande {orderId} ({reason}) :\n{items}\nAmazon vous confirmera l'annulation par e-mail.\nRéférence : {confirmation}",
    cancelMcf: "Nous avons annulé les articles suivants de votre commande {orderId} ({reason}) :\n{items}\nIls ne seront pas expédiés, et nous vous rembourserons le montant payé pour ces articles sur votre moyen de paiement d'origine.\nRéférence : {confirmation}",
  },
  es: {
    refund: "Hemos emitido un reembolso de {amount} para su pedido {orderId} ({reason}). Amazon suele mostrar el reembolso en su método de pago original en un plazo de 3 a 5 días hábiles.\nReferencia: {confirmation}",
    cancel: "Hemos cancelado los siguientes artículos de su pedido {orderId} ({reason}):\n{items}\nAmazon le confirmará la cancelación por correo electrónico.\nReferencia: {confirmation}",
    cancelMcf: "Hemos cancelado los siguientes artículos de su pedido {orderId} ({reason}):\n{items}\nNo se enviarán, y le reembolsaremos lo que pagó por ellos en su método de pago original.\nReferencia: {confirmation}",
  },
  it: {
    refund: "Abbiamo emesso un rimborso di {amount} per il suo ordine {orderId} ({reason}). Di solito Amazon mostra il rimborso sul metodo di pagamento originale entro 3-5 giorni lavorativi.\nRiferimento: {confirmation}",
    cancel: "Abbiamo annullato i seguenti articoli del suo ordine {orderId} ({reason}):\n{items}\nAmazon le confermerà l'annullamento via e-mail.\nRiferimento: {confirmation}",
    cancelMcf: "Abbiamo annullato i seguenti articoli del suo ordine {orderId} ({reason}):\n{items}\nNon verranno spediti e le rimborseremo quanto pagato per questi articoli sul metodo di pagamento originale.\nRiferimento: {confirmation}",
  },
  ja: {
    refund: "ご注文 {orderId} について、{amount} の返金手続きを行いました（{reason}）。通常、3～5 営業日以内に Amazon から元のお支払い方法へ返金が反映されます。\n参照番号: {confirmation}",
    cancel: "ご注文 {orderId} の以下の商品をキャンセルいたしました（{reason}）。\n{items}\nキャンセルの確認は Amazon からメールで届きます。\n参照番号: {confirmation}",
    cancelMcf: "ご注文 {orderId} の以下の商品をキャンセルいたしました（{reason}）。\n{items}\nこれらの商品は発送されません。お支払いいただいた代金は、元のお支払い方法に返金いたします。\n参照番号: {confirmation}",
  },
};

// Every refund and cancel reason of domain.js, grouped into what a buyer understands.
export const REASON_GROUP = Object.freeze({
  CustomerReturn: "returned", GeneralAdjustment: "adjustment", CouldNotShip: "delivery",
  DifferentItem: "wrongItem", ProductOutofStock: "outOfStock", NoInventory: "outOfStock",
  CustomerCancel: "request", PriceError: "price", CustomerAddressIncorrect: "delivery",
  Exchange: "exchange", Undeliverable: "delivery", RefusedDelivery: "delivery",
  CarrierCreditDecision: "delivery", CarrierCoverageFailure: "delivery", Abandoned: "adjustment",
  RiskAssessmentInformationNotValid: "adjustment", TransactionRecord: "adjustment", Other: "adjustment",
  BuyerCanceled: "request", ShippingAddressUndeliverable: "delivery", CustomerExchange: "exchange",
});

export const REASON_TEXT = {
  en: { returned: "returned item", exchange: "exchange", wrongItem: "wrong item received", outOfStock: "item out of stock", delivery: "delivery issue", request: "at your request", price: "pricing error", adjustment: "order adjustment" },
  de: { returned: "Rücksendung", exchange: "Umtausch", wrongItem: "falscher Artikel erhalten", outOfStock: "Artikel nicht vorrätig", delivery: "Lieferproblem", request: "auf Ihren Wunsch", price: "Preisfehler", adjustment: "Bestellanpassung" },
  fr: { returned: "article retourné", exchange: "échange", wrongItem: "mauvais article reçu", outOfStock: "article en rupture de stock", delivery: "problème de livraison", request: "à votre demande", price: "erreur de prix", adjustment: "ajustement de commande" },
  es: { returned: "artículo devuelto", exchange: "cambio", wrongItem: "artículo incorrecto recibido", outOfStock: "artículo agotado", delivery: "problema de entrega", request: "a petición suya", price: "error de precio", adjustment: "ajuste del pedido" },
  it: { returned: "articolo reso", exchange: "cambio", wrongItem: "articolo errato ricevuto", outOfStock: "articolo esaurito", delivery: "problema di consegna", request: "su sua richiesta", price: "errore di prezzo", adjustment: "rettifica dell'ordine" },
  ja: { returned: "返品", exchange: "交換", wrongItem: "誤った商品のお届け", outOfStock: "在庫切れ", delivery: "配送上の問題", request: "お客様のご依頼による", price: "価格の誤り", adjustment: "注文の調整" },
};

/** The language of the reply: the agent's choice, else the marketplace's, else English. */
export function resolveLanguage(replyLanguage, marketplaceLanguage) {
  if (LANGUAGES.includes(replyLanguage)) return replyLanguage;
  return LANGUAGES.includes(marketplaceLanguage) ? marketplaceLanguage : "en";
}

/** The buyer-facing phrase for an Amazon reason code in a language. */
export function reasonText(reason, language) {
  const texts = REASON_TEXT[language] ?? REASON_TEXT.en;
  return texts[REASON_GROUP[reason] ?? "adjustment"];
}

/** Placeholders in a template that renderReply does not know (to warn in the options page). */
export function unknownPlaceholders(template) {
  const names = [...String(template).matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return [...new Set(names.filter((name) => !(name in PLACEHOLDERS)))];
}

/** What each placeholder becomes for an action, in a language. */
function placeholderValues(data, language) {
  return {
    orderId: data.orderId,
    amount: data.amount && data.currency ? formatMoney(data.amount, data.currency, language) : "",
    reason: reasonText(data.reason, language),
    confirmation: data.confirmation ?? "",
    items: (data.items ?? []).map((item) => `- ${item.title} × ${item.quantity}`).join("\n"),
  };
}

/**
 * Render the reply for a finished action.
 * @param {{kind: "refund"|"cancel"|"cancelMcf", language: string, amount?: string, currency?: string,
 *   reason: string, confirmation: string, orderId: string, items?: {title: string, quantity: number}[]}} data
 * @param {Record<string, Record<string, string>>} [overrides] per language, per template key
 */
export function renderReply(data, overrides = {}) {
  const language = LANGUAGES.includes(data.language) ? data.language : "en";
  if (!TEMPLATE_KEYS.includes(data.kind)) throw new Error(`Unknown reply template "${data.kind}".`);
  const custom = overrides?.[language]?.[data.kind];
  const template = typeof custom === "string" && custom.trim() ? custom : DEFAULT_TEMPLATES[language][data.kind];
  const values = placeholderValues(data, language);
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

/** Money as exact decimal strings: parsing, arithmetic in minor units (BigInt), localised display. */

const AMOUNT_RE = /^(\d+)(?:\.(\d+))?$/;

/** Error for an amount a person typed that the currency cannot express. */
export class AmountError extends Error {
  /** @param {string} code stable code, @param {string} message sentence for the agent */
  constructor(code, message) {
    super(message);
    this.name = "AmountError";
    this.code = code;
  }
}

/**
 * Parse a non-negative amount string ("12.5", "12,50", "1200") into minor units.
 * @param {string} text @param {number} decimals @returns {bigint}
 */
export function toMinor(text, decimals) {
  const clean = String(text ?? "").trim().replace(",", ".");
  const match = AMOUNT_RE.exec(clean === "" ? "0" : clean);
  if (!match) throw new AmountError("amount_invalid", `"${text}" is not an amount.`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    const what = decimals === 0 ? "no decimals" : `at most ${decimals} decimals`;
    throw new AmountError("amount_precision", `This currency has ${what}: "${text}".`);
  }
  return BigInt(match[1] + fraction.padEnd(decimals, "0"));
}

/** Minor units back to the wire string with exactly `decimals` digits ("12.50", "1200"). */
export function fromMinor(minor, decimals) {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals === 0 ? whole : `${whole}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/** Sum of amount strings, as a wire string. */
export function sum(amounts, decimals) {
  const total = amounts.reduce((acc, a) => acc + toMinor(a, decimals), 0n);
  return fromMinor(total, decimals);
}

/** a - b for amount strings (may be negative). */
export function subtract(a, b, decimals) {
  return fromMinor(toMinor(a, decimals) - toMinor(b, decimals), decimals);
}

/** -1, 0 or 1 comparing two amount strings. */
export function compare(a, b, decimals) {
  const d = toMinor(a, decimals) - toMinor(b, decimals);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** True when the amount is more than zero. */
export function isPositive(amount, decimals) {
  return toMinor(amount, decimals) > 0n;
}

const LOCALES = { en: "en-US", de: "de-DE", fr: "fr-FR", es: "es-ES", it: "it-IT", ja: "ja-JP" };

/** BCP 47 locale used for a two-letter language. */
export function localeFor(language) {
  return LOCALES[language] ?? language ?? "en-US";
}

/**
 * Localised money for people ("$12.50", "12,50 €", "￥1,200"). Intl formats the decimal string
 * exactly (no float on the way); the currency decides the decimals (JPY none).
 */
export function formatMoney(amount, currency, language = "en") {
  const format = new Intl.NumberFormat(localeFor(language), { style: "currency", currency });
  return format.format(String(amount));
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { AmountError, compare, formatMoney, fromMinor, subtract, sum, toMinor } from "../src/shared/money.js";

test("amounts parse to exact minor units for the currency's decimals", () => {
  assert.equal(toMinor("12.5", 2), 1250n);
  assert.equal(toMinor("12,50", 2), 1250n);
  assert.equal(toMinor(" 0.01 ", 2), 1n);
  assert.equal(toMinor("", 2), 0n);
  assert.equal(toMinor("1200", 0), 1200n);
  assert.equal(toMinor("90071992547409.93", 2), 9007199254740993n, "beyond float precision");
});

test("too many decimals or non-numbers are refused with stable codes", () => {
  assert.throws(() => toMinor("1200.5", 0), (e) => e instanceof AmountError && e.code === "amount_precision");
  assert.throws(() => toMinor("1.005", 2), (e) => e.code === "amount_precision");
  for (const bad of ["-1", "1e3", "abc", "1.2.3", "0x10", "NaN"]) {
    assert.throws(() => toMinor(bad, 2), (e) => e.code === "amount_invalid", bad);
  }
});

test("arithmetic never goes through floats", () => {
  assert.equal(sum(["0.10", "0.20"], 2), "0.30");
  assert.equal(sum(["25.98", "4.99", "2.08", "0.40"], 2), "33.45");
  assert.equal(subtract("4.99", "6.00", 2), "-1.01");
  assert.equal(fromMinor(5n, 2), "0.05");
  assert.equal(fromMinor(1200n, 0), "1200");
  assert.equal(compare("10.00", "9.99", 2), 1);
  assert.equal(compare("1", "1.00", 2), 0);
});

test("money is shown per language and currency, JPY without decimals", () => {
  assert.equal(formatMoney("14.03", "USD", "en"), "$14.03");
  assert.equal(formatMoney("12.50", "EUR", "de").replace(/\s/g, " "), "12,50 €");
  assert.equal(formatMoney("1200", "JPY", "ja"), "￥1,200");
  assert.equal(formatMoney("1234.5", "GBP", "en"), "£1,234.50");
  assert.equal(formatMoney("12345678901234567.89", "USD", "en"), "$12,345,678,901,234,567.89");
});

/** CSS of our shadow roots (badge, panel, dialogs); :host resets whatever the page inherits. */

export const BADGE_CSS = `
:host { all: initial; display: inline-block; vertical-align: baseline; margin: 0 0 0 4px; }
button { all: unset; box-sizing: border-box; cursor: pointer; font: 600 10px/1 system-ui, sans-serif;
  color: #fff; background: #146eb4; border-radius: 8px; padding: 3px 6px; letter-spacing: .02em; }
button:hover { background: #0f5a94; }
button:focus-visible { outline: 2px solid #ff9900; outline-offset: 1px; }
`;

export const PANEL_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
/* Our display rules (e.g. .field's grid) would otherwise beat the hidden attribute. */
[hidden] { display: none !important; }
.panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(400px, 100vw); z-index: 2147483646;
  display: flex; flex-direction: column; background: #fff; color: #1d2329; border-left: 1px solid #d0d7de;
  box-shadow: -6px 0 24px rgba(0,0,0,.15); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.rail { position: fixed; top: 50%; right: 0; transform: translateY(-50%); z-index: 2147483646; width: 34px;
  display: flex; flex-direction: column; align-items: center; gap: 4px; padding: 6px 0; background: #fff;
  color: #1d2329; border: 1px solid #d0d7de; border-right: none; border-radius: 8px 0 0 8px;
  box-shadow: -3px 0 12px rgba(0,0,0,.15); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.rail button { padding: 4px 0; width: 28px; }
.rail-expand { display: flex; flex-direction: column; align-items: center; gap: 6px; border: none;
  background: #146eb4; color: #fff; padding: 8px 0; }
.rail-expand:hover { background: #0f5a94; }
.rail-expand .chevron { font-size: 16px; line-height: 1; }
.rail-label { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 12px; font-weight: 600; letter-spacing: .04em; }
.rail-note { margin: 0; min-height: 0; }
.rail-note .check { display: block; color: #1a7f37; font-weight: 700; font-size: 16px; text-align: center; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #e5e9ee; }
header h2 { flex: 1; margin: 0; font-size: 15px; font-weight: 600; }
header .oid { font-family: ui-monospace, monospace; font-weight: 500; }
.body { flex: 1; overflow: auto; padding: 12px; }
button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid #b6c0ca; background: #f6f8fa;
  color: inherit; padding: 6px 10px; }
a { color: #146eb4; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible {
  outline: 2px solid #ff9900; outline-offset: 1px; }
button.primary { background: #146eb4; border-color: #146eb4; color: #fff; }
button.danger { background: #b42318; border-color: #b42318; color: #fff; }
button:disabled { opacity: .55; cursor: not-allowed; }
button.icon { border: none; background: transparent; font-size: 18px; line-height: 1; padding: 4px 8px; }
.state { padding: 16px 4px; color: #414b55; }
.error { color: #b42318; }
.error-box { border-radius: 8px; padding: 10px 12px; margin: 0 0 12px; background: #fdf0ef; border: 1px solid #f0aaa4; }
.error-box p.error { margin: 0; font-weight: 600; }
.error-box .actions { justify-content: flex-end; margin: 10px 0 0; }
.error-box .actions button { flex: 0 0 auto; }
.callout { border-radius: 6px; padding: 8px 10px; margin: 8px 0; background: #fff7e6; border: 1px solid #f5c46b; }
.callout.info { background: #eef6fc; border-color: #9cc7ea; }
.chips { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 8px; }
.chip { display: inline-flex; align-items: center; font-size: 12px; line-height: 18px; padding: 1px 8px;
  border-radius: 10px; background: #eef1f4; white-space: nowrap; }
.chip.chip-status { background: #e6f4ea; color: #1a5e2a; font-weight: 600; }
.chips .muted { line-height: 18px; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 8px 0; }
dt { color: #57606a; } dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.items { list-style: none; padding: 0; margin: 8px 0; }
.items li { padding: 6px 0; border-top: 1px solid #eef1f4; }
.muted { color: #57606a; font-size: 12px; }
.actions { display: flex; gap: 8px; margin: 12px 0 4px; }
.actions button { flex: 1; }
.why { font-size: 12px; color: #57606a; margin: 2px 0; }
h3 { font-size: 13px; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
.history { list-style: none; padding: 0; margin: 0; }
.history li { border: 1px solid #e5e9ee; border-radius: 6px; padding: 8px; margin-bottom: 6px; }
.history .row { display: flex; justify-content: space-between; gap: 8px; }
.badge-state { font-size: 12px; font-weight: 600; }
.s-succeeded, .s-posted { color: #1a7f37; } .s-failed { color: #b42318; } .s-unknown { color: #9a6700; }
.backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgba(0,0,0,.35);
  display: flex; align-items: center; justify-content: center; }
[role=dialog] { background: #fff; color: #1d2329; width: min(520px, 96vw); max-height: 92vh; overflow: auto;
  border-radius: 10px; padding: 16px; font: 14px/1.4 system-ui, sans-serif; box-shadow: 0 10px 40px rgba(0,0,0,.3); }
[role=dialog] h2 { margin: 0 0 12px; font-size: 17px; }
fieldset { border: 1px solid #e5e9ee; border-radius: 6px; margin: 0 0 10px; padding: 8px 10px; }
legend { font-weight: 600; padding: 0 4px; }
label { display: block; margin: 4px 0; }
.field { display: grid; grid-template-columns: 1fr 110px auto; gap: 6px; align-items: center; margin: 4px 0; }
.field .remaining { font-size: 12px; color: #57606a; min-width: 90px; }
input[type=text], input[type=number], select, textarea { font: inherit; padding: 5px 7px; border: 1px solid #b6c0ca;
  border-radius: 5px; width: 100%; background: #fff; color: inherit; }
input[aria-invalid=true] { border-color: #b42318; }
.field-error { color: #b42318; font-size: 12px; grid-column: 1 / -1; }
.footer { display: flex; justify-content: flex-end; gap: 8px; margin-top: 12px; flex-wrap: wrap; }
.result { margin-top: 12px; border-radius: 8px; padding: 10px 12px; border: 1px solid #d0d7de; background: #f6f8fa; }
.result:focus { outline: none; }
.result.r-succeeded, .result.r-posted { background: #eef8f0; border-color: #9fd3ad; }
.result.r-failed, .result.r-refused { background: #fdf0ef; border-color: #f0aaa4; }
.result.r-unknown { background: #fff7e6; border-color: #f5c46b; }
.result p { margin: 0 0 6px; }
p.status { font-weight: 600; font-size: 15px; }
p.status:empty { display: none; }
.result-meta { color: #414b55; font-size: 13px; font-variant-numeric: tabular-nums; word-break: break-word; }
.status-error { color: #b42318; font-weight: 600; }
.amazon-says { background: #fff; border-left: 3px solid #b42318; padding: 6px 8px; border-radius: 4px; }
.amazon-says .label { display: block; font-size: 12px; color: #57606a; }
.amazon-says q { quotes: none; font-weight: 600; }
.result .callout { margin: 6px 0; }
.result .footer { margin-top: 8px; }
.result .footer:empty { display: none; }
.footer .reply-controls { flex-basis: 100%; display: flex; flex-direction: column; align-items: flex-end; gap: 4px; }
.reply-controls .buttons { display: flex; gap: 8px; justify-content: flex-end; }
.reply-controls .muted { margin: 0; }
.reply { white-space: pre-wrap; font-size: 13px; background: #f6f8fa; border-radius: 6px; padding: 8px; margin: 8px 0; }
`;

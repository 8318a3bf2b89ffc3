#!/usr/bin/env node
// bench_mailauth.mjs - DKIM verification throughput of mailauth (npm, version pinned in
// package.json; `npm ci` in tests/bench installs it).
//
//     node tests/bench/bench_mailauth.mjs [--reps N] [--dump FILE] KEYS.json DIR
//
// Reads every DIR/*.eml into memory (Buffers) and the keys (not timed), then times
// `await dkimVerify(buf, {resolver, curTime})` over all messages, one after another.
// The resolver answers from KEYS.json like dns.promises.resolveTxt (ENOTFOUND when
// absent).  mailauth verifies every DKIM-Signature; a body hash mismatch is reported
// as "neutral" (comment "body hash did not verify") and the signature is not checked.
// Numbers: process CPU time (process.cpuUsage, user+sys), wall time, peak RSS
// (process.resourceUsage().maxRSS).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { dkimVerify } = require('mailauth/lib/dkim/verify');
const version = require('mailauth/package.json').version;

let reps = 1;
let dump = null;
const args = process.argv.slice(2);
while (args.length && args[0].startsWith('--')) {
    const a = args.shift();
    if (a === '--reps') reps = parseInt(args.shift(), 10);
    else if (a === '--dump') dump = args.shift();
    else {
        console.error(`unknown option ${a}`);
        process.exit(2);
    }
}
if (args.length !== 2 || !(reps >= 1)) {
    console.error('usage: bench_mailauth.mjs [--reps N] [--dump FILE] KEYS.json DIR');
    process.exit(2);
}
const [keysPath, dir] = args;

const keys = new Map();
for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(keysPath, 'utf8')))) {
    keys.set(k.toLowerCase(), v);
}
const resolver = async (name, type) => {
    const v = type === 'TXT' ? keys.get(name.toLowerCase().replace(/\.$/, '')) : undefined;
    if (v === undefined) {
        const err = new Error(`queryTxt ENOTFOUND ${name}`);
        err.code = 'ENOTFOUND';
        throw err;
    }
    // like resolveTxt: one record, its character-strings (<= 255 bytes each)
    const strings = [];
    for (let i = 0; i < v.length; i += 255) strings.push(v.slice(i, i + 255));
    return [strings];
};

const msgs = fs
    .readdirSync(dir)
    .filter(n => n.endsWith('.eml'))
    .sort()
    .map(n => ({ name: n, buf: fs.readFileSync(path.join(dir, n)) }));
const total = msgs.reduce((s, m) => s + m.buf.length, 0);
// judge t=/x= at a fixed time after the corpus was signed (the signatures carry no x=)
const curTime = new Date();

const results = [];
const c0 = process.cpuUsage();
const w0 = process.hrtime.bigint();
for (let rep = 0; rep < reps; rep++) {
    const last = rep === reps - 1;
    for (const m of msgs) {
        const res = await dkimVerify(m.buf, { resolver, curTime });
        if (last) {
            res.results.forEach((r, i) => {
                results.push([m.name, i + 1, r.signingDomain || '?', r.status.result, r.status.comment || '']);
            });
        }
    }
}
const wall = Number(process.hrtime.bigint() - w0) / 1e9;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;

const counts = {};
for (const r of results) counts[r[3]] = (counts[r[3]] || 0) + 1;
if (dump) fs.writeFileSync(dump, results.map(r => r.join('\t') + '\n').join(''));
const n = msgs.length * reps;
const mb = (total * reps) / 1e6;
const out = [
    ['tool', `mailauth ${version} (node ${process.versions.node})`],
    ['messages', msgs.length],
    ['reps', reps],
    ['signatures', results.length],
    ['bytes', total],
    ['cpu_s', cpu.toFixed(4)],
    ['wall_s', wall.toFixed(4)],
    ['msgs_per_s', (n / cpu).toFixed(1)],
    ['mb_per_s', (mb / cpu).toFixed(2)],
    ['peak_rss_kb', process.resourceUsage().maxRSS]
];
for (const k of Object.keys(counts).sort()) out.push([`result.${k}`, counts[k]]);
process.stdout.write(out.map(r => r.join('\t') + '\n').join(''));

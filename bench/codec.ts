/**
 * Codec benchmark: encode and decode rates for basic.publish + header + 256 B body,
 * basic.deliver + header + 256 B body, and basic.ack, for Warren's codec, amqplib's
 * (`lib/defs.js` + `lib/frame.js`) and amqp-client.js's (`AMQPView`), on the same inputs.
 *
 * Each side runs the path its library runs on a connection: amqplib's
 * `parseFrame`/`decodeFrame` loop and `sendMessage` framing; amqp-client.js's
 * `onRead` → `parseFrames` steps and `basicPublish`/`basicAck` writers. Where
 * amqp-client.js has no such path (it never decodes a publish nor encodes a
 * deliver, being a client) the same steps are followed with its own AMQPView
 * calls in wire order, and the row is marked.
 *
 * Usage: `npm run bench:codec` (env WARREN_BENCH_MS = milliseconds per timed run, default 400;
 * WARREN_BENCH_RUNS = runs per row, default 5). A run with the defaults also rewrites the README's
 * "Codec performance" section.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FrameSplitter, decodeContentHeader, decodeMethod, type Frame } from '../shared/index.js';
import { amqpClientDecode, amqpClientEncode, lastAssembled } from './codec/amqp-client-codec.js';
import { amqplibDecode, amqplibEncode } from './codec/amqplib-codec.js';
import {
  ACK,
  BODY,
  CHANNEL,
  DELIVER,
  FRAME_MAX,
  PUBLISH,
  ROUTING_KEY,
  WARREN_PROPS,
  WIRE,
  type CaseName,
  type CodecName,
} from './codec/inputs.js';
import { DEFAULT_RUN_MS, DEFAULT_RUNS, RUN_MS, RUNS, measure } from './codec/timing.js';
import { median } from './median.js';
import { writeReadmeSection } from './readme-section.js';
import { warrenDecode, warrenEncode } from './codec/warren-codec.js';

interface Row {
  codec: CodecName;
  case: CaseName;
  op: 'encode' | 'decode';
  fn: () => unknown;
  note?: string;
}

const CASES: readonly CaseName[] = ['publish', 'deliver', 'ack'];
const NO_SUCH_PATH = 'no such path in the client; same steps';
const codecs: readonly {
  codec: CodecName;
  encode: Record<CaseName, () => unknown>;
  decode: (wire: Buffer) => unknown;
}[] = [
  { codec: 'warren', encode: warrenEncode, decode: warrenDecode },
  { codec: 'amqplib', encode: amqplibEncode, decode: amqplibDecode },
  { codec: 'amqp-client.js', encode: amqpClientEncode, decode: amqpClientDecode },
];
/** amqp-client.js never decodes a publish nor encodes a deliver, being a client: those rows follow its steps. */
const noteOf = (codec: CodecName, c: CaseName, op: 'encode' | 'decode') =>
  codec === 'amqp-client.js' && ((c === 'publish' && op === 'decode') || (c === 'deliver' && op === 'encode'))
    ? { note: NO_SUCH_PATH }
    : {};

const ROWS: Row[] = (['encode', 'decode'] as const).flatMap((op) =>
  codecs.flatMap(({ codec, encode, decode }) =>
    CASES.map((c): Row => ({
      codec,
      case: c,
      op,
      fn: op === 'encode' ? encode[c] : () => decode(WIRE[c]),
      ...noteOf(codec, c, op),
    })),
  ),
);

/** Every encoder's bytes must decode (with Warren's codec) to the same method, properties and body. */
function checkSameWork(): void {
  for (const row of ROWS.filter((r) => r.op === 'encode')) {
    const bytes = row.fn() as Uint8Array;
    const frames: Frame[] = [];
    new FrameSplitter({ frameMax: FRAME_MAX }).push(new Uint8Array(bytes), (f) => frames.push(f));
    const expected = row.case === 'publish' ? PUBLISH : row.case === 'deliver' ? DELIVER : ACK;
    assert.deepEqual(decodeMethod(frames[0]!.payload), expected, `${row.codec} ${row.case}`);
    if (row.case !== 'ack') {
      assert.deepEqual(decodeContentHeader(frames[1]!.payload).properties, WARREN_PROPS, `${row.codec} ${row.case}`);
      assert.deepEqual(frames[2]!.payload, BODY, `${row.codec} ${row.case}`);
    }
  }
  amqpClientDecode(WIRE.deliver);
  assert.equal(lastAssembled()!.routingKey, ROUTING_KEY);
  assert.deepEqual(lastAssembled()!._rawBytes, BODY);
  assert.equal(amqplibDecode(WIRE.deliver), 3 * CHANNEL);
}

async function main(): Promise<void> {
  checkSameWork();
  for (const row of ROWS) measure(row.fn, 200); // warm-up: let every path reach optimised code
  const samples = new Map<Row, number[]>(ROWS.map((r) => [r, []]));
  // Runs interleave the rows so that drift in machine speed spreads over all of them.
  for (let run = 0; run < RUNS; run++) for (const row of ROWS) samples.get(row)!.push(measure(row.fn, RUN_MS));

  const results = ROWS.map((row) => ({
    codec: row.codec,
    case: row.case,
    op: row.op,
    opsPerSec: Math.round(median(samples.get(row)!)),
    runs: samples.get(row)!.map(Math.round),
    ...(row.note === undefined ? {} : { note: row.note }),
  }));
  const rate = (codec: CodecName, c: CaseName, op: string) =>
    results.find((r) => r.codec === codec && r.case === c && r.op === op)!.opsPerSec;

  console.log(`codec benchmark: ${RUNS} runs × ${RUN_MS} ms per row, median ops/s (node ${process.version})\n`);
  const header = ['case', 'op', 'warren', 'amqplib', 'amqp-client.js', 'vs amqplib', 'vs amqp-client.js'];
  const lines = [header];
  for (const op of ['encode', 'decode'] as const) {
    for (const c of CASES) {
      const w = rate('warren', c, op);
      const a = rate('amqplib', c, op);
      const q = rate('amqp-client.js', c, op);
      lines.push([c, op, fmt(w), fmt(a), fmt(q), `${(w / a).toFixed(2)}×`, `${(w / q).toFixed(2)}×`]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines)
    console.log(l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  console.log('\npublish/deliver = method + header + 256 B body frames; ack = one method frame.');
  console.log('amqp-client.js publish decode and deliver encode are not paths it has; they follow its steps.');

  const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'codec.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runMs: RUN_MS, runs: RUNS, bodyBytes: BODY.length, results }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  if (RUN_MS === DEFAULT_RUN_MS && RUNS === DEFAULT_RUNS) {
    await writeReadmeSection(
      path.join(outDir, '..', '..', 'README.md'),
      'Codec performance',
      readmeSection(lines, rate),
    );
  }
}

/** The README's section: the table, and the goals for decoding judged on the measured rates. */
function readmeSection(
  lines: readonly string[][],
  rate: (codec: CodecName, c: CaseName, op: string) => number,
): string {
  const [header, ...rows] = lines;
  const goals = CASES.map((c) => {
    const vsAmqplib = rate('warren', c, 'decode') / rate('amqplib', c, 'decode');
    const vsClient = rate('warren', c, 'decode') / rate('amqp-client.js', c, 'decode');
    const met = vsClient >= 1.5 && vsAmqplib >= 1;
    return `- ${c} decode: ${vsClient.toFixed(2)}× amqp-client.js, ${vsAmqplib.toFixed(2)}× amqplib (goal ≥ 1.5× and ≥ 1×: ${met ? 'met' : 'missed'})`;
  });
  return [
    '## Codec performance',
    '',
    `Measured by \`npm run bench:codec\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores ` +
      `(${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}; median ops/s of ${RUNS} runs × ` +
      `${RUN_MS} ms per row, the rows interleaved. publish/deliver = method + header + 256 B body frames; ` +
      'ack = one method frame. Each encoder ends where its library sends: Warren (its client) and amqp-client.js ' +
      'with a view of their own buffer, which WebSocket.send copies; amqplib with the Buffers it makes for every message. ' +
      'Figures: `bench/results/codec.json`.',
    '',
    `| ${header!.join(' | ')} |`,
    `| --- | --- | ${header!
      .slice(2)
      .map(() => '---:')
      .join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...goals,
    '',
  ].join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

await main();

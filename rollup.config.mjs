import terser from '@rollup/plugin-terser';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { dts } from 'rollup-plugin-dts';

// Bundles browser/ (and the shared codec it imports) for pages, from the emit of
// browser/tsconfig.json in dist/bundle/ (compiled for size; see there).
// Members named `_x` are internal by convention in browser/ (and unused by shared/
// and the WebSocket API), so terser may rename them: that is most of the size
// win after mangling locals.
//
// The codec's byte reader and writer, frame writer and splitter, frames and method
// plans never leave the bundle either, so their members are renamed too. A name
// goes on this list only if nothing else in the bundle spells it: not a spec
// class, method or argument name (`start`, `heartbeat`), a property name
// (`timestamp`), a public member (`body`, `type`, `channel`, `message`) or a
// built-in one (`length`, `push`, `set`, `size`). The keys of the spec table and of
// methods (`methods`, `content`, `args`) qualify: method objects are internal, and
// pages see a message's arguments, not the object holding them. So does a content
// header's `bodySize`: pages see a message's properties and body, never the header.
// test/client/browser.test.ts runs the result.
const CODEC_MEMBERS = [
  ...['methods', 'content', 'args'],
  ...['bytes', 'pos', 'end', 'dataView', 'view', 'reset', 'remaining', 'need', 'buf', 'ensure', 'copied'],
  ...['octet', 'int8', 'short', 'int16', 'long', 'int32', 'longlong', 'int64', 'uint64', 'float32', 'float64'],
  ...['shortstr', 'longstr', 'longstrBytes', 'beginLength', 'endLength', 'raw', 'payload'],
  ...['take', 'takeView', 'truncate'],
  ...['method', 'header', 'begin', 'info', 'names', 'codes', 'payloadStart', 'emit', 'bodySize'],
  ...['headerPending', 'head', 'headLength', 'partial', 'partialLength', 'checkedSize', 'buffering'],
];
const minify = terser({
  ecma: 2020,
  module: false,
  // Statements joined by commas gzip worse than the same statements apart.
  compress: { passes: 3, unsafe_arrows: true, pure_getters: true, sequences: false },
  mangle: { properties: { regex: new RegExp(`^(_.*|${CODEC_MEMBERS.join('|')})$`), builtins: true } },
  format: { comments: false },
});

/**
 * Turns off codec features a page does not need, so their code is left out:
 * the short-string paths and the cache of decoded names (see shared/utf8.ts),
 * the protocol header check of the server side, the reuse of split frames'
 * memory, the unfinished frames left to their owner, and the owner passed to
 * frame callbacks (see shared/frame-splitter.ts),
 * the hand-written readers of hot methods (see shared/hot-methods.ts), the
 * strict checks and fast path of content headers (see shared/properties.ts),
 * the limit on nested tables (see shared/field-table.ts), FrameWriter's
 * message() (see shared/frame-writer.ts), and the method a decoding error
 * names, with the options an AmqpCodecError takes for it (see
 * shared/method-codec.ts and shared/errors.ts).
 */
const CLIENT_FLAGS = {
  '/shared/utf8.js': ['ASCII_FAST_PATHS', 'NAME_CACHE'],
  '/shared/frame-splitter.js': ['PROTOCOL_HEADER_CHECK', 'PARTIAL_REUSE', 'CALLBACK_THIS', 'CARRY_OVER'],
  '/shared/hot-methods.js': 'HOT_READERS',
  '/shared/properties.js': ['STRICT_HEADERS', 'NO_PROPERTIES_FAST_PATH'],
  '/shared/field-table.js': 'TABLE_DEPTH_LIMIT',
  '/shared/frame-writer.js': 'WHOLE_MESSAGES',
  '/shared/method-codec.js': 'METHOD_IN_ERRORS',
  '/shared/errors.js': 'ERROR_OPTIONS',
};
const clientFlags = {
  name: 'client-flags',
  transform(code, id) {
    const file = Object.keys(CLIENT_FLAGS).find((suffix) => id.endsWith(suffix));
    if (file === undefined) return null;
    let off = code;
    for (const flag of [CLIENT_FLAGS[file]].flat()) {
      const next = off.replace(`const ${flag} = true;`, `const ${flag} = false;`);
      if (next === off) this.error(`${flag} not found in ${file}`);
      off = next;
    }
    return { code: off, map: null };
  },
};

/**
 * Members of the codec that the client never reads, left out of its bundle, as
 * `owner.member`: a class's member, or a property of the object literal that a
 * variable named `owner` holds. Frames never leave the bundle, and the client
 * reads their payload, not the whole frame (`raw`, for the gateway's relay); nor
 * does it ask whether a splitter holds part of a frame (`buffering`) or hand back
 * a split frame's memory for reuse (`release`, and `partialOf` that reuses it). Nor does it
 * look at the `content` flag and argument list of a method's info: it encodes and
 * decodes through the plan's names and codes, and names methods by `name`.
 * Its socket sends what it wrote as a view (`takeView`), never as a copy (`take`).
 */
const CLIENT_OMITTED = {
  '/shared/byte-writer.js': ['ByteWriter.take'],
  '/shared/frame-writer.js': ['FrameWriter.take'],
  '/shared/frame-splitter.js': [
    'SplitFrame.raw',
    'FrameSplitter.buffering',
    'FrameSplitter.release',
    'FrameSplitter.partialOf',
  ],
  '/shared/method-codec.js': ['info.content', 'info.args'],
};

/** The first node in `node`'s tree (depth first) that `test` accepts. */
function findNode(node, test) {
  if (node === null || typeof node !== 'object') return undefined;
  if (typeof node.type === 'string' && test(node)) return node;
  for (const child of Object.values(node)) {
    const found = Array.isArray(child)
      ? child.reduce((hit, item) => hit ?? findNode(item, test), undefined)
      : findNode(child, test);
    if (found !== undefined) return found;
  }
  return undefined;
}

const clientOmitted = {
  name: 'client-omitted',
  transform(code, id) {
    const file = Object.keys(CLIENT_OMITTED).find((suffix) => id.endsWith(suffix));
    if (file === undefined) return null;
    const ast = this.parse(code);
    const members = CLIENT_OMITTED[file].map((member) => {
      const [ownerName, name] = member.split('.');
      const owner = findNode(
        ast,
        (node) =>
          (node.type === 'ClassDeclaration' || node.type === 'VariableDeclarator') && node.id.name === ownerName,
      );
      const siblings = owner?.type === 'ClassDeclaration' ? owner.body.body : owner?.init?.properties;
      const found = siblings?.find((node) => !node.computed && node.key?.name === name);
      if (found === undefined) this.error(`${member} not found in ${file}`);
      return found;
    });
    let kept = code;
    for (const { start, end } of members.sort((a, b) => b.start - a.start)) {
      // An object literal's property goes with the comma after it.
      const comma = /^\s*,/.exec(kept.slice(end))?.[0].length ?? 0;
      kept = kept.slice(0, start) + kept.slice(end + comma);
    }
    return { code: kept, map: null };
  },
};

/** Argument types by the one base-36 digit that stands for each in the packed spec. */
const ARG_TYPES = [
  ...['octet', 'short', 'long', 'longlong', 'bit', 'shortstr', 'longstr', 'table'],
  ...['reservedShort', 'reservedShortstr', 'reservedLongstr', 'reservedBit'],
];

/**
 * shared/spec.ts's table, packed for the bundle into a string that gzips to
 * 70% of the object literal's size: `class<id>,method[id] arg<type>…,…;`.
 * A reply named after the method before it, with the next id (`declare` →
 * `declareOk`), is written as its arguments alone. A method whose id is the next
 * multiple of 10 after the one before it (as most are) leaves it out. Methods
 * lose their `content` flag, which the client never reads: the bundle leaves out
 * the method info's `content` (see CLIENT_OMITTED), and packedSpec checks that
 * nothing else in it reads the flag.
 */
function packSpec(spec) {
  const classes = Object.entries(spec).map(([className, { id, methods }]) => {
    let previous = { name: '', id: 0 };
    const packed = Object.entries(methods).map(([name, method]) => {
      const reply = name === `${previous.name}Ok` && method.id === previous.id + 1;
      const implicitId = method.id === previous.id - (previous.id % 10) + 10;
      previous = { name, id: method.id };
      const args = Object.entries(method.args).map(([arg, type]) => arg + ARG_TYPES.indexOf(type).toString(36));
      const head = name + (implicitId ? '' : method.id);
      return [reply ? '' : head, ...args].join(' ');
    });
    return [className + id, ...packed].join(',');
  });
  return classes.join(';');
}

/** Unpacks what packSpec made. Runs in the bundle, so it is written to minify small. */
const unpackSpec = (packed, types) => {
  const spec = {};
  for (const packedClass of packed.split(';')) {
    const [head, ...methods] = packedClass.split(',');
    const [, className, classId] = /(\D+)(\d+)/.exec(head);
    const table = (spec[className] = { id: +classId, methods: {} });
    let name;
    let id = 0;
    for (const method of methods) {
      const [head, ...packedArgs] = method.split(' ');
      const [, newName, newId] = /(\D*)(\d*)/.exec(head);
      name = newName || name + 'Ok';
      id = newId ? +newId : newName ? id - (id % 10) + 10 : id + 1;
      const args = {};
      for (const arg of packedArgs) args[arg.slice(0, -1)] = types[parseInt(arg.slice(-1), 36)];
      table.methods[name] = { id, args };
    }
  }
  return spec;
};

/**
 * Methods the client neither sends nor can be sent, left out of its table: a
 * secure challenge (PLAIN has none; receiving one ends the connection as an
 * unknown method, rather than a handshake waiting for an answer the client does
 * not have) and the deprecated basic.recover-async, a client's method.
 */
const CLIENT_OMITTED_METHODS = ['connection.secure', 'connection.secureOk', 'basic.recoverAsync'];

/** SPEC as the client's bundle has it: without CLIENT_OMITTED_METHODS. */
const clientSpec = (spec) =>
  Object.fromEntries(
    Object.entries(spec).map(([className, { id, methods }]) => {
      const kept = Object.entries(methods).filter(([name]) => !CLIENT_OMITTED_METHODS.includes(`${className}.${name}`));
      return [className, { id, methods: Object.fromEntries(kept) }];
    }),
  );

/** SPEC without the methods' `content` flags, as the packed table unpacks. */
const withoutContent = (spec) =>
  Object.fromEntries(
    Object.entries(spec).map(([className, { id, methods }]) => {
      const kept = Object.entries(methods).map(([name, method]) => [name, { id: method.id, args: method.args }]);
      return [className, { id, methods: Object.fromEntries(kept) }];
    }),
  );

/**
 * Replaces shared/spec.js in the bundle by its packed table, after checking that
 * it unpacks to the same table but for the `content` flags. The module also
 * exports ARG_TYPES, which shared/method-codec.js then imports in place of its
 * own list (checked to be the same), so the bundle spells the list once.
 */
const packedSpec = {
  name: 'packed-spec',
  async transform(code, id) {
    if (id.endsWith('/shared/method-codec.js')) {
      const declaration = this.parse(code).body.find(
        (node) => node.type === 'VariableDeclaration' && node.declarations[0].id.name === 'ARG_TYPES',
      );
      const list = declaration?.declarations[0].init.elements?.map((element) => element.value);
      if (!isDeepStrictEqual(list, ARG_TYPES))
        this.error("ARG_TYPES of shared/method-codec.js is not the packed spec's");
      const shared = "import { ARG_TYPES } from './spec.js';";
      return { code: code.slice(0, declaration.start) + shared + code.slice(declaration.end), map: null };
    }
    if (!id.endsWith('/shared/spec.js')) return null;
    const { SPEC, ...constants } = await import(pathToFileURL(id).href);
    const packed = packSpec(clientSpec(SPEC));
    if (!isDeepStrictEqual(unpackSpec(packed, ARG_TYPES), withoutContent(clientSpec(SPEC)))) {
      this.error('the packed spec does not unpack to SPEC');
    }
    const lines = [
      `export const ARG_TYPES = ${JSON.stringify(ARG_TYPES)};`,
      `export const SPEC = (${unpackSpec})(${JSON.stringify(packed)}, ARG_TYPES);`,
    ];
    for (const [name, value] of Object.entries(constants))
      lines.push(`export const ${name} = ${JSON.stringify(value)};`);
    return { code: lines.join('\n'), map: null };
  },
  renderChunk(code) {
    // The packed table has no `content` flags: nothing in the bundle may read one.
    const reader = findNode(
      this.parse(code),
      (node) =>
        (node.type === 'MemberExpression' || node.type === 'Property') &&
        !node.computed &&
        (node.property ?? node.key).name === 'content',
    );
    if (reader !== undefined)
      this.error(
        `the bundle reads a method's content flag, which its spec leaves out: ${code.slice(reader.start, reader.end)}`,
      );
    return null;
  },
};

export default [
  {
    input: 'dist/bundle/browser/index.js',
    plugins: [clientFlags, clientOmitted, packedSpec],
    output: [
      { file: 'dist/browser/warren.mjs', format: 'es' },
      { file: 'dist/browser/warren.min.js', format: 'iife', name: 'Warren', plugins: [minify] },
    ],
  },
  {
    input: 'dist/browser/index.d.ts',
    output: { file: 'dist/browser/warren.d.ts', format: 'es' },
    plugins: [dts()],
  },
];

import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

// Bundles the tsc output of browser/ (and the shared codec it imports) for pages.
// Members named `_x` are internal by convention in browser/ (and unused by shared/
// and the WebSocket API), so terser may rename them: that is most of the size
// win after mangling locals.
const minify = terser({
  ecma: 2020,
  module: false,
  compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
  mangle: { properties: { regex: /^_/ } },
  format: { comments: false },
});

/** Leaves the codec's cache of decoded names out of the bundle (see shared/utf8.ts). */
const noNameCache = {
  name: 'no-name-cache',
  transform(code, id) {
    if (!id.endsWith('/shared/utf8.js')) return null;
    const off = code.replace('const NAME_CACHE = true;', 'const NAME_CACHE = false;');
    if (off === code) this.error('NAME_CACHE not found in shared/utf8.js');
    return { code: off, map: null };
  },
};

export default [
  {
    input: 'dist/browser/index.js',
    plugins: [noNameCache],
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

import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

// Bundles the tsc output of browser/ (and the shared codec it imports) for pages.
export default [
  {
    input: 'dist/browser/index.js',
    output: [
      { file: 'dist/browser/warren.mjs', format: 'es' },
      {
        file: 'dist/browser/warren.min.js',
        format: 'iife',
        name: 'Warren',
        plugins: [terser({ ecma: 2020, module: false, compress: { passes: 2 } })],
      },
    ],
  },
  {
    input: 'dist/browser/index.d.ts',
    output: { file: 'dist/browser/warren.d.ts', format: 'es' },
    plugins: [dts()],
  },
];

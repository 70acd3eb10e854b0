// Builds the org chart viewer into internal/chartview/dist. Run `npm ci`
// first. `--outdir` redirects the output, which the Go test uses to compare a
// fresh build with the committed one.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPage } from '../pagebuild.mjs';

const here = import.meta.dirname;
const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: path.join(here, '../../internal/chartview/dist') },
  },
});

const { files } = await buildPage(esbuild, {
  name: 'chart',
  entry: path.join(here, 'src/main.js'),
  outdir: path.resolve(values.outdir),
});
console.log(`built ${files.join(', ')}`);

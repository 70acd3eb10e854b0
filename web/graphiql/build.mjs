// Builds the GraphiQL playground into internal/playground/dist and the
// fixture of its browser test into internal/playground/testdata.
// Run `npm ci` first. `--outdir` and `--testdata` redirect the output, which
// the Go test uses to compare a fresh build with the committed one.
import * as esbuild from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPage } from '../pagebuild.mjs';
import { standinFixture } from './standin/fixture.mjs';

const here = import.meta.dirname;
const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: path.join(here, '../../internal/playground/dist') },
    testdata: { type: 'string', default: path.join(here, '../../internal/playground/testdata') },
  },
});

const modules = path.join(here, 'node_modules');

// graphiql/style.css already carries Monaco's stylesheet, so Monaco's own CSS
// imports are dropped: they would double the CSS, and those in lazily loaded
// chunks would never be applied. Safe only while both are the same Monaco.
const monacoVersion = JSON.parse(await readFile(path.join(modules, 'monaco-editor/package.json'), 'utf8')).version;
const graphiqlStyle = await readFile(path.join(modules, 'graphiql/dist/style.css'), 'utf8');
if (!graphiqlStyle.includes(`Version: ${monacoVersion}(`)) {
  throw new Error(`graphiql/style.css does not carry the stylesheet of monaco-editor ${monacoVersion}`);
}
const dropMonacoCss = {
  name: 'drop-monaco-css',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}monaco-editor${path.sep}`)
        ? { path: args.path, namespace: 'dropped-css' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'dropped-css' }, () => ({ contents: '', loader: 'empty' }));
  },
};

const { files } = await buildPage(esbuild, {
  name: 'graphiql',
  entry: path.join(here, 'src/main.jsx'),
  workers: {
    editor: path.join(modules, 'monaco-editor/esm/vs/editor/editor.worker.js'),
    json: path.join(modules, 'monaco-editor/esm/vs/language/json/json.worker.js'),
    graphql: path.join(modules, 'monaco-graphql/esm/graphql.worker.js'),
  },
  plugins: [dropMonacoCss],
  outdir: path.resolve(values.outdir),
});

await mkdir(values.testdata, { recursive: true });
await writeFile(path.join(values.testdata, 'standin.json'), JSON.stringify(standinFixture(), null, 2) + '\n');
console.log(`built ${files.join(', ')}`);

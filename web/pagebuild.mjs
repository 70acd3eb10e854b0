// Builds one browser page that the Go binary embeds and serves without any
// network access: a minified ES module, its stylesheet and any web workers,
// each named by its content hash so the server can cache them for good, plus
// manifest.json telling the Go side which files the page loads.
//
// Each page lives in its own npm project under web/ (its own pinned
// dependencies and lock file) and calls buildPage from its build script,
// passing in the esbuild module that project pins: this file sits outside
// every project, so it cannot import esbuild itself.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const fontAndImageLoaders = {
  '.ttf': 'dataurl',
  '.woff': 'dataurl',
  '.woff2': 'dataurl',
  '.svg': 'dataurl',
  '.png': 'dataurl',
  '.gif': 'dataurl',
};

/**
 * @param {typeof import('esbuild')} esbuild
 * @param {object} page
 * @param {string} page.name          base name of the page's files, e.g. "graphiql"
 * @param {string} page.entry         the page's JS/JSX entry module
 * @param {Record<string,string>} [page.workers]  worker name → entry module;
 *   the page reads the built file names from the global PAGE_WORKER_FILES
 * @param {import('esbuild').Plugin[]} [page.plugins]
 * @param {string} page.outdir        emptied, then filled
 */
export async function buildPage(esbuild, { name, entry, workers = {}, plugins = [], outdir }) {
  // esbuild's content hashes depend on paths relative to its working
  // directory, so it gets one fixed by the page, not the caller's.
  const workDir = path.dirname(path.resolve(entry));
  const resolve = (p) => path.resolve(workDir, p);
  const common = {
    absWorkingDir: workDir,
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    outdir,
    entryNames: '[name]-[hash]',
    charset: 'utf8',
    // Licence notices stay with the code they cover, at the end of each file.
    legalComments: 'eof',
    target: 'es2022',
    loader: fontAndImageLoaders,
    plugins,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  };

  // Workers first: the page needs their hashed names.
  const workerBuild = await esbuild.build({
    ...common,
    entryPoints: workers,
    format: 'iife',
  });
  const workerFiles = namesByEntry(workerBuild, workers, resolve);

  const pageBuild = await esbuild.build({
    ...common,
    entryPoints: { [name]: entry },
    format: 'esm',
    // Code that the page imports dynamically (e.g. a formatter used only on
    // demand) goes into chunks loaded when first needed.
    splitting: true,
    chunkNames: '[name]-[hash]',
    jsx: 'automatic',
    define: { ...common.define, PAGE_WORKER_FILES: JSON.stringify(workerFiles) },
  });

  const files = [...workerBuild.outputFiles, ...pageBuild.outputFiles];
  const [scriptPath, scriptMeta] = Object.entries(pageBuild.metafile.outputs).find(
    ([, o]) => o.entryPoint && resolve(o.entryPoint) === path.resolve(entry),
  );
  const script = outputFile(files, resolve(scriptPath));
  const style = scriptMeta.cssBundle && outputFile(files, resolve(scriptMeta.cssBundle));
  if (!style) throw new Error(`${name}: the page has no stylesheet`);
  // The browser applies only the stylesheet the page links; CSS that lazily
  // loaded chunks import would silently never be applied.
  const strayStyles = files.filter((f) => f.path.endsWith('.css') && f !== style);
  if (strayStyles.length > 0) {
    throw new Error(`${name}: CSS imported by lazily loaded code: ${strayStyles.map((f) => path.basename(f.path))}`);
  }
  checkStylesheetStaysLocal(style);

  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  for (const file of files) {
    await writeFile(file.path, file.contents);
  }
  const manifest = { script: path.basename(script.path), style: path.basename(style.path) };
  await writeFile(path.join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { files: files.map((f) => path.basename(f.path)).sort(), manifest };
}

function namesByEntry(result, entries, resolve) {
  const names = {};
  for (const [outPath, output] of Object.entries(result.metafile.outputs)) {
    if (!output.entryPoint) continue;
    const key = Object.keys(entries).find((k) => path.resolve(entries[k]) === resolve(output.entryPoint));
    if (key) names[key] = path.basename(outPath);
  }
  for (const key of Object.keys(entries)) {
    if (!names[key]) throw new Error(`worker ${key}: no output`);
  }
  return names;
}

function outputFile(files, absolutePath) {
  return files.find((f) => f.path === absolutePath);
}

// The page must never reach another origin; a font or image that a bundled
// stylesheet still references by URL would break offline.
function checkStylesheetStaysLocal(style) {
  const css = style.text;
  if (/@import\b/.test(css)) throw new Error(`${style.path}: @import left in the stylesheet`);
  for (const match of css.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
    if (!match[2].startsWith('data:') && !match[2].startsWith('#')) {
      throw new Error(`${style.path}: url(${match[2].slice(0, 80)}) is not inlined`);
    }
  }
}

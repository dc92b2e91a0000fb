#!/usr/bin/env node
// solc-js behind the two command-line calls forge makes to a `solc` binary:
//   solc --version                 -> "solc, the solidity compiler ...\nVersion: <x.y.z+commit...>"
//   solc --standard-json [flags]   -> Standard JSON input on stdin, output on stdout
// Extra flags forge passes (--allow-paths, --base-path, --include-path) only widen where imports may
// be read from; forge inlines every source in the JSON, so the import callback reads files from
// those roots (and the current directory) when the compiler still asks for one.
'use strict';

const fs = require('fs');
const path = require('path');

const modulePath = process.env.SOLC_JS_MODULE;
if (!modulePath) {
  process.stderr.write('solc-wrapper: SOLC_JS_MODULE is not set\n');
  process.exit(2);
}
const solc = require(modulePath);

const args = process.argv.slice(2);

if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(
    'solc, the solidity compiler commandline interface\nVersion: ' + solc.version() + '\n',
  );
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-wrapper: only --version and --standard-json are supported, got: ' +
    args.join(' ') + '\n');
  process.exit(2);
}

const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const take = (v) => { for (const p of v.split(',')) if (p) roots.push(path.resolve(p)); };
  if ((a === '--allow-paths' || a === '--base-path' || a === '--include-path') && i + 1 < args.length) {
    take(args[++i]);
  } else if (a.startsWith('--allow-paths=') || a.startsWith('--base-path=') || a.startsWith('--include-path=')) {
    take(a.slice(a.indexOf('=') + 1));
  }
}

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((r) => path.join(r, importPath));
  for (const c of candidates) {
    try {
      return { contents: fs.readFileSync(c, 'utf8') };
    } catch (_) { /* try the next root */ }
  }
  return { error: 'File not found: ' + importPath };
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const output = solc.compile(input, { import: findImports });
  process.stdout.write(output);
});

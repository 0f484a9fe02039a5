#!/usr/bin/env node
/**
 * `npm run checks`: the typecheck and the type-aware lint at once. Each is
 * one single-threaded process that builds the program's types on its own,
 * so on two cores running them side by side takes about as long as the
 * slower one instead of both. Each one's output is printed whole once it
 * ends; the exit status is non-zero when either failed.
 */
import { spawn } from 'node:child_process';
import process from 'node:process';

const CHECKS = [
  ['typecheck', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'eslint', ['.']],
];

function run([name, command, args]) {
  return new Promise((resolve) => {
    const started = Date.now();
    // npx-free: the local bin, as npm scripts find it (npm puts node_modules/.bin on PATH).
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => resolve({ name, code: 1, output: `${error.message}\n`, seconds: 0 }));
    child.once('close', (code) => resolve({ name, code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const results = await Promise.all(CHECKS.map(run));
for (const { name, code, output, seconds } of results) {
  process.stdout.write(`${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds.toFixed(1)} s\n${output}`);
}
process.exitCode = results.some((result) => result.code !== 0) ? 1 : 0;

#!/usr/bin/env node
/**
 * `npm run checks`: the typecheck and the type-aware lint. Each is one
 * single-threaded process that builds the program's types on its own.
 *
 *   node scripts/checks.js                  both side by side (about as long as the slower one)
 *   node scripts/checks.js -- vitest run    the command in the foreground, its output live, and
 *                                           the checks one after the other beside it, niced
 *
 * The second form is `npm test`: vitest leaves a core idle much of the time
 * while tests wait on sockets and timers, and the checks (one core, lowest
 * priority, so timing-bound tests keep theirs) fill it instead of running
 * first. Either way each check's output is printed whole once everything
 * has ended, then one summary line; the exit status is non-zero when any
 * check or the command failed.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

const CHECKS = [
  ['typecheck', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'eslint', ['.']],
];

/** npx-free: the local bins first, as npm scripts have them, also when run as `node scripts/checks.js`. */
const BIN = path.join(import.meta.dirname, '..', 'node_modules', '.bin');
const ENV = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}` };

/** Children still running, ended if we are interrupted. */
const running = new Set();

/** Runs a command; `capture` keeps its output for later instead of passing it through. */
function run(name, command, args, { capture, nice = 0 }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: ENV });
    running.add(child);
    if (nice > 0 && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, Math.min(19, os.getPriority(child.pid) + nice));
      } catch {
        // Not allowed or already gone: it runs at normal priority, which is only slower.
      }
    }
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    const done = (code, extra = '') => {
      running.delete(child);
      resolve({ name, code, output: output + extra, seconds: (Date.now() - started) / 1000 });
    };
    child.once('error', (error) => done(1, `${error.message}\n`));
    child.once('close', (code, signal) => done(code ?? 1, signal ? `ended by ${signal}\n` : ''));
  });
}

async function inSequence(checks, options) {
  const results = [];
  for (const [name, command, args] of checks) results.push(await run(name, command, args, options));
  return results;
}

function status({ code, seconds }) {
  return `${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds.toFixed(1)} s`;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exitCode = 130;
  });
}

const separator = process.argv.indexOf('--');
const foreground = separator === -1 ? [] : process.argv.slice(separator + 1);

let checks;
let main;
if (foreground.length === 0) {
  checks = await Promise.all(CHECKS.map(([name, command, args]) => run(name, command, args, { capture: true })));
} else {
  [main, checks] = await Promise.all([
    run(foreground[0], foreground[0], foreground.slice(1), { capture: false }),
    inSequence(CHECKS, { capture: true, nice: 10 }),
  ]);
}

for (const check of checks) {
  process.stdout.write(`\n${check.name}: ${status(check)}\n${check.output}`);
}
const all = main ? [...checks, main] : checks;
const failed = all.filter((result) => result.code !== 0).map((result) => result.name);
process.stdout.write(
  `\n${all.map((result) => `${result.name} ${status(result)}`).join(', ')}\n` +
    (failed.length > 0 ? `FAILED: ${failed.join(', ')}\n` : ''),
);
process.exitCode = failed.length > 0 ? 1 : (process.exitCode ?? 0);

/**
 * The flood figure (issue 16: RSS within 50 MB of idle under a 10 s flood of
 * 5,000 messages/s of any kind): `npm run flood` run as it is, its summary
 * lines parsed. It starts its own simulator and bridge (the real CLI).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FloodResult {
  askedPerSecond: number;
  offeredPerSecond: number;
  answered: number;
  expectedAnswers: number;
  droppedOverloaded: number;
  idleRssMb: number;
  growthMb: number;
  exitMs: number;
  listReads: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function number(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  if (!match?.[1]) throw new Error(`flood: no ${pattern.source} in its output:\n${text.slice(-2000)}`);
  return Number(match[1]);
}

export async function measureFlood(): Promise<FloodResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tplink-source', 'scripts/flood.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    askedPerSecond: number(output, /of (\d+)\/s asked/),
    offeredPerSecond: number(output, /offered (\d+)\/s/),
    answered: number(output, /answered (\d+) of/),
    expectedAnswers: number(output, /answered \d+ of (\d+)/),
    droppedOverloaded: number(output, /dropped_overloaded (\d+)/),
    idleRssMb: number(output, /idle_rss_mb ([\d.]+)/),
    growthMb: number(output, /growth_mb ([\d.-]+)/),
    exitMs: number(output, /exit_ms (\d+)/),
    listReads: number(output, /list_reads (\d+)/),
  };
}

/**
 * Reads the Dockerfile's instructions, for the checks that stand in for a
 * Docker engine (none runs here): test/foundation/dockerfile.test.ts and
 * scripts/image-smoke.ts.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
export function instructions(text: string): Instruction[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The JSON array of an exec-form instruction (`CMD ["node", "x"]`, `HEALTHCHECK --x CMD [...]`). */
export function execForm(step: Instruction | undefined): string[] {
  const array = /(\[.*\])\s*$/.exec(step?.args ?? '')?.[1];
  return array ? (JSON.parse(array) as string[]) : [];
}

/** The final stage: what the image runs. */
export function runtimeStage(file: string): Instruction[] {
  const all = instructions(readFileSync(file, 'utf8'));
  return all.slice(all.map((step) => step.keyword).lastIndexOf('FROM'));
}

/** NAME=value pairs of the stage's ENV instructions (values without quotes or spaces). */
export function stageEnv(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const step of stage.filter((s) => s.keyword === 'ENV')) {
    for (const match of step.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)) env[match[1] ?? ''] = match[2] ?? '';
  }
  return env;
}

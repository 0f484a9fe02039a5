/**
 * Device-list answers, entry by entry. An entry that does not validate is
 * skipped with a warning, and the answer says how many were, so the source
 * keeps those devices as they were instead of removing them; an answer
 * with entries of which none validates is a failed read (`protocol`, retried
 * like a garbled answer), never "the account has no devices": one bad
 * getDeviceList once removed 19 devices and all their topics for 10 min.
 */
import type { z } from 'zod';
import { CloudError } from './errors.js';
import type { CloudName } from '../../model/node.js';
import type { Logger } from '../../logger.js';

export interface ListAnswer<T> {
  entries: T[];
  /** Entries that did not validate (their devices must be kept as they were). */
  skipped: number;
}

/** A short name for a bad entry in the warning: its id field when it has a usable one. */
function entryId(raw: unknown, idField: string): string | undefined {
  const value = (raw as Record<string, unknown> | null)?.[idField];
  return typeof value === 'string' ? value.slice(0, 80) : undefined;
}

export function parseEntries<S extends z.ZodType>(
  cloud: CloudName,
  what: string,
  raw: readonly unknown[],
  schema: S,
  idField: string,
  logger: Logger,
): ListAnswer<z.infer<S>> {
  const entries: z.infer<S>[] = [];
  for (const item of raw) {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      entries.push(parsed.data);
      continue;
    }
    const issue = parsed.error.issues[0];
    logger.warn(
      { id: entryId(item, idField), issue: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid' },
      `${cloud}: skipping a ${what} entry that does not parse (the device is kept as it was)`,
    );
  }
  if (raw.length > 0 && entries.length === 0) {
    throw new CloudError(cloud, 'protocol', `${cloud}: ${what}: none of its ${raw.length} entries parse`);
  }
  return { entries, skipped: raw.length - entries.length };
}

/** Previous entries the new answer lacks, kept when some of its entries were skipped. */
export function keepSkipped<T>(answer: ListAnswer<T>, previous: readonly T[], idOf: (entry: T) => string): { entries: T[]; kept: number } {
  if (answer.skipped === 0) return { entries: answer.entries, kept: 0 };
  const listed = new Set(answer.entries.map(idOf));
  const kept = previous.filter((entry) => !listed.has(idOf(entry)));
  return { entries: [...answer.entries, ...kept], kept: kept.length };
}

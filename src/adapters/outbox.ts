/**
 * Local mode's stand-in for GitHub: what would be a pull-request comment or an issue is written
 * under `.mlops/outbox/` (and printed), so a laptop run shows exactly what CI would post. Files
 * are keyed like the sticky comment they stand for, so a rerun replaces its file in place.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs/user-files.js';

/** What kind of GitHub object the message stands for. */
export type OutboxKind = 'comment' | 'issue';

export interface OutboxMessage {
  kind: OutboxKind;
  /** Which action wrote it: `evaluate-gate`, `drift-check`. */
  source: string;
  /** Distinguishes several messages of one source (the comment-key, the drift check's name). */
  key: string;
  /** The pull request or issue number it targets, when known. */
  number?: number;
  /** Issue title (issues only). */
  title?: string;
  body: string;
}

/** A file-name-safe version of a free-text key. */
export function safeFileName(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 80) || 'default';
}

/**
 * The key's part of a file name: safeFileName, plus a short hash of the key when cleaning it lost
 * something, so that `Churn Model` and `churn-model` get files of their own.
 */
export function outboxKeyName(key: string): string {
  const safe = safeFileName(key);
  if (safe === key) return safe;
  return `${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** Where a message lands: `.mlops/outbox/<kind>-<source>-<key>[-<number>].md`. */
export function outboxPath(workingDirectory: string, message: Omit<OutboxMessage, 'body' | 'title'>): string {
  const parts = [message.kind, safeFileName(message.source), outboxKeyName(message.key)];
  if (message.number !== undefined) parts.push(String(message.number));
  return join(workingDirectory, '.mlops', 'outbox', `${parts.join('-')}.md`);
}

/** Renders the file: a title line for issues, then the body exactly as it would be posted. */
export function renderOutboxMessage(message: OutboxMessage): string {
  const head = message.kind === 'issue' && message.title ? `# ${message.title}\n\n` : '';
  const body = message.body.endsWith('\n') ? message.body : `${message.body}\n`;
  return head + body;
}

/**
 * Writes the message under `<workingDirectory>/.mlops/outbox/` (replacing an earlier one with the
 * same kind, source, key and number) and prints it through `stdout` when one is given (and
 * `print` is not false). It never writes to process.stdout itself: the CLI's stdout is its
 * summary or its one JSON object, and the caller logs where the file is. Returns the absolute path.
 */
export async function writeOutboxMessage(
  workingDirectory: string,
  message: OutboxMessage,
  options: { print?: boolean; stdout?: (text: string) => void } = {},
): Promise<string> {
  const path = outboxPath(workingDirectory, message);
  const text = renderOutboxMessage(message);
  await writeFileAtomic(path, text);
  if (options.print !== false && options.stdout) {
    options.stdout(
      `--- ${message.kind} (${message.source}, written to ${path}) ---\n${text}--- end of ${message.kind} ---\n`,
    );
  }
  return path;
}

/**
 * Removes a message that no longer stands (a drift issue once a run finds no drift: GitHub would
 * close it). Returns the path when there was a file, undefined when there was none.
 */
export async function removeOutboxMessage(
  workingDirectory: string,
  message: Omit<OutboxMessage, 'body' | 'title'>,
): Promise<string | undefined> {
  const path = outboxPath(workingDirectory, message);
  try {
    await rm(path);
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

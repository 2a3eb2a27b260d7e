/**
 * readTriggeringEvent reads the event of the RunEnvironment it is given, not the process's: two
 * runs in one process with two event files see two events (@actions/github's context, read once
 * at import from process.env, gave every run the first one, or none).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/adapters/environment.js';
import { pullRequestFromEvent, readTriggeringEvent } from '../../src/adapters/github/event.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-event-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function eventFile(name: string, payload: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

describe('readTriggeringEvent', () => {
  it('reads the event file and name of the environment it is given, each time', async () => {
    const first = eventFile('one.json', { pull_request: { number: 3, head: { sha: 'a'.repeat(40) } } });
    const second = eventFile('two.json', { pull_request: { number: 9 } });
    const one = await readTriggeringEvent(
      readEnvironment({ GITHUB_EVENT_PATH: first, GITHUB_EVENT_NAME: 'pull_request' }, scratch),
    );
    const two = await readTriggeringEvent(
      readEnvironment({ GITHUB_EVENT_PATH: second, GITHUB_EVENT_NAME: 'pull_request_target' }, scratch),
    );
    expect(pullRequestFromEvent(one)).toEqual({ number: 3, headSha: 'a'.repeat(40) });
    expect(two.eventName).toBe('pull_request_target');
    expect(pullRequestFromEvent(two)).toEqual({ number: 9 });
  });

  it('names the file when the payload is not JSON', async () => {
    const file = join(scratch, 'broken.json');
    writeFileSync(file, '{"pull_request": ');
    await expect(
      readTriggeringEvent(readEnvironment({ GITHUB_EVENT_PATH: file, GITHUB_EVENT_NAME: 'pull_request' }, scratch)),
    ).rejects.toThrow(`The event payload ${file} is not valid JSON: `);
  });
});

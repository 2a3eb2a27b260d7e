/**
 * A start line for racing writers: a `pre-receive` hook in a bare remote that holds each of the
 * first `writers` pushes until all of them have arrived, then lets them go together. Every one of
 * those pushes was therefore built on the same tip (no push could land before the last arrived),
 * so exactly one of them can win and the other `writers - 1` must be rejected and retried: the
 * race is certain, not a matter of how the machine happened to schedule the processes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Annotation } from './runner.js';

/**
 * Installs the barrier hook in the bare repository `remote`; later pushes pass straight through.
 * A held push fails with a line saying how many writers arrived when the last has not pushed
 * within `timeoutSeconds`.
 */
export function installPushBarrier(remote: string, writers: number, timeoutSeconds = 240): void {
  const slots = join(remote, 'push-barrier');
  const release = join(remote, 'push-barrier.fifo');
  mkdirSync(slots);
  execFileSync('mkfifo', [release]);
  // mkdir is atomic: each of the first `writers` hook runs takes a numbered slot. A held push
  // blocks reading one line from the FIFO (opened read-write, so opening never blocks and no
  // reader sees end-of-file); the push taking the last slot writes one line per held push. sh
  // reads a pipe a byte at a time, so each held push takes exactly one line. No polling: a
  // waiting push costs nothing however long the other writers take to start.
  const script = `#!/bin/sh
[ -d '${slots}/${writers}' ] && exit 0
exec 3<>'${release}'
i=1
while [ "$i" -le ${writers} ]; do
  if mkdir "${slots}/$i" 2>/dev/null; then
    if [ "$i" -eq ${writers} ]; then
      j=1
      while [ "$j" -lt ${writers} ]; do echo go >&3; j=$((j + 1)); done
      exit 0
    fi
    timeout ${timeoutSeconds} sh -c 'read -r go <&3' && exit 0
    echo "push barrier: only $(ls '${slots}' | wc -l) of ${writers} writers pushed within ${timeoutSeconds} s" >&2
    exit 1
  fi
  i=$((i + 1))
done
exit 0
`;
  const hook = join(remote, 'hooks', 'pre-receive');
  writeFileSync(hook, script);
  chmodSync(hook, 0o755);
}

/** One registry write attempt as a process's debug log reports it (`Registry attempt N: ... accepted|rejected.`). */
export interface WriteAttempt {
  attempt: number;
  accepted: boolean;
}

/** The registry write attempts a bundle run logged, in order. */
export function writeAttempts(annotations: Annotation[]): WriteAttempt[] {
  return annotations
    .filter((a) => a.level === 'debug')
    .map((a) => /^Registry attempt (\d+): .*: (accepted|rejected)\.$/.exec(a.message))
    .filter((match) => match !== null)
    .map((match) => ({ attempt: Number(match[1]), accepted: match[2] === 'accepted' }));
}

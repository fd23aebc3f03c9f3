import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import { describeOnPosix, itOnPosix } from './platform.ts';
import { environmentHas, goneOrZombie, liveProcesses, processesWithEnvironment } from './processes.ts';
import { waitFor } from './wait-for.ts';

describeOnPosix('the process table', 'runs sleep and reads ps or /proc', () => {
  itOnPosix('lists a running child with its command line, and not once it has ended', 'runs sleep', async () => {
    const child = spawn('sleep', ['30.25']);
    const pid = child.pid ?? -1;
    try {
      await waitFor(() => liveProcesses().some((p) => p.pid === pid), { what: 'the sleep listed' });
      expect(liveProcesses().find((p) => p.pid === pid)?.command).toMatch(/sleep 30\.25$/);
      expect(goneOrZombie(pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
    await once(child, 'exit');
    expect(goneOrZombie(pid)).toBe(true);
    expect(liveProcesses().some((p) => p.pid === pid)).toBe(false);
  });

  itOnPosix('takes an exited child nobody reaped yet for gone', 'runs sh', async () => {
    // sh starts a sleep in the background and execs a long sleep of its own: the first one, once
    // it ends, stays a zombie, because the exec'd sleep never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30']);
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      await waitFor(() => goneOrZombie(zombie), { what: 'the background sleep to end' });
      expect(liveProcesses().some((p) => p.pid === zombie)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  itOnPosix('reads an entry of a process environment, and no other', 'runs sleep', () => {
    const child = spawn('sleep', ['30'], { env: { ...process.env, MSB_PROBE: 'here' } });
    const pid = child.pid ?? -1;
    try {
      expect(environmentHas(pid, 'MSB_PROBE=here')).toBe(true);
      expect(environmentHas(pid, 'MSB_PROBE=elsewhere')).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  itOnPosix('lists the processes whose environment holds an entry, and no other', 'runs sleep', () => {
    const here = spawn('sleep', ['30'], { env: { ...process.env, MSB_PROBE: '/x/home' } });
    const longer = spawn('sleep', ['30'], { env: { ...process.env, MSB_PROBE: '/x/home-other' } });
    try {
      const pids = processesWithEnvironment('MSB_PROBE=/x/home').map(({ pid }) => pid);
      expect(pids).toContain(here.pid);
      expect(pids).not.toContain(longer.pid);
    } finally {
      here.kill('SIGKILL');
      longer.kill('SIGKILL');
    }
  });
});

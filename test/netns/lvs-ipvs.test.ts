/**
 * The IPVS data plane against a real ip_vs: boots Debian's kernel under qemu with the
 * lab recipe of ../shared/lab/qemu-ipvs (build it once with `run-vm.sh setup` in a
 * writable copy and point KTS_IPVS_LAB at its build/ directory; default
 * /tmp/kts-lvs-lab/build) and runs lvs-ipvs-guest.js inside it, which compares
 * `ipvsadm -Ln` with the desired state after every step. Skipped without a built lab.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const LAB = process.env.KTS_IPVS_LAB ?? '/tmp/kts-lvs-lab/build';
const ready =
  existsSync(join(LAB, 'vmlinux')) &&
  existsSync(join(LAB, 'initrd.cpio')) &&
  spawnSync('qemu-system-x86_64', ['--version']).status === 0;
const REPO = new URL('../../..', import.meta.url).pathname;

function boot(xfer: string): { status: number | null; out: string } {
  const r = spawnSync(
    'timeout',
    [
      '-k',
      '5',
      '180',
      'qemu-system-x86_64',
      '-machine',
      'q35',
      '-accel',
      'tcg',
      '-cpu',
      'max',
      '-nodefaults',
      '-display',
      'none',
      '-serial',
      'stdio',
      '-no-reboot',
      '-device',
      'isa-debug-exit,iobase=0xf4,iosize=0x04',
      '-smp',
      '1',
      '-m',
      '1024',
      '-kernel',
      join(LAB, 'vmlinux'),
      '-initrd',
      join(LAB, 'initrd.cpio'),
      '-append',
      'console=ttyS0 quiet panic=-1 nohz=off highres=off labmode=job',
      '-virtfs',
      'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs',
      `local,path=${xfer},mount_tag=xfer,security_model=none,multidevs=remap`,
    ],
    { encoding: 'utf8', timeout: 200_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('lvs: IPVS data plane in a qemu guest with ip_vs', {
  skip: ready ? false : `no built lab at ${LAB}`,
}, () => {
  test('services and destinations match ipvsadm -Ln after every step; only ours are touched', () => {
    const xfer = join(LAB, `xfer-kts-${process.pid}`);
    rmSync(xfer, { recursive: true, force: true });
    mkdirSync(xfer, { recursive: true });
    try {
      // The guest mounts its own tmpfs on /tmp, hiding a checkout that lives there: ship the
      // compiled tree through the xfer share instead (it is mounted at /tmp/xfer inside).
      cpSync(join(REPO, 'dist'), join(xfer, 'repo/dist'), { recursive: true });
      cpSync(join(REPO, 'package.json'), join(xfer, 'repo/package.json'));
      const addon = 'native/build/Release/kts_native.node';
      cpSync(join(REPO, addon), join(xfer, 'repo', addon));
      writeFileSync(join(xfer, 'job.sh'), 'cd /tmp/xfer/repo && node dist/test/netns/lvs-ipvs-guest.js\n');
      let run = boot(xfer);
      // NOTES.md: rare TCG stalls; retry a boot once.
      if (!existsSync(join(xfer, 'result.json'))) run = boot(xfer);
      const result = JSON.parse(readFileSync(join(xfer, 'result.json'), 'utf8')) as {
        ok: boolean;
        steps: { step: string; ok: boolean; detail?: string }[];
      };
      for (const s of result.steps) assert.ok(s.ok, `${s.step}: ${s.detail ?? ''}\n${run.out}`);
      assert.equal(run.status, 1, run.out); // isa-debug-exit: (0 << 1) | 1
    } finally {
      rmSync(xfer, { recursive: true, force: true });
    }
  });
});

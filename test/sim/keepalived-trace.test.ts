/**
 * @module Interop evidence: the log lines keepalived 2.2.7 printed (with -D) in a
 * two-namespace run on this machine (priority 200 at 10.77.0.1, priority 100 at
 * 10.77.0.2, advert_int 1, VRRPv2; b started 5 s before a, a stopped, then b), replayed
 * through the engine on the simulated LAN. GARP "Sending/queueing" lines belong to the
 * GARP sender in src/io and are left out.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InstanceConfig, normalizeConfig } from '../../src/vrrp/index.js';
import { LanSim } from './lan.js';
import { Prng } from './prng.js';

function cfg(priority: number, last: number): InstanceConfig {
  return normalizeConfig({
    name: 'VI_1',
    vrid: 77,
    version: 2,
    family: 'ipv4',
    priority,
    adverIntCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    sourceAddress: Uint8Array.of(10, 77, 0, last),
    accept: true,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garp: {
      masterDelayMs: 5000,
      masterRepeat: 5,
      masterRefreshMs: 0,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 5000,
      lowerPrioRepeat: 5,
    },
  }).config;
}

const KEEPALIVED_A = [
  '(VI_1) removing VIPs.',
  '(VI_1) Entering BACKUP STATE (init)',
  '(VI_1) received lower priority (100) advert from 10.77.0.2 - discarding',
  '(VI_1) received lower priority (100) advert from 10.77.0.2 - discarding',
  '(VI_1) received lower priority (100) advert from 10.77.0.2 - discarding',
  '(VI_1) Receive advertisement timeout',
  '(VI_1) Entering MASTER STATE',
  '(VI_1) setting VIPs.',
  '(VI_1) sent 0 priority',
  '(VI_1) removing VIPs.',
];

const KEEPALIVED_B = [
  '(VI_1) removing VIPs.',
  '(VI_1) Entering BACKUP STATE (init)',
  '(VI_1) Receive advertisement timeout',
  '(VI_1) Entering MASTER STATE',
  '(VI_1) setting VIPs.',
  '(VI_1) Master received advert from 10.77.0.1 with higher priority 200, ours 100',
  '(VI_1) Entering BACKUP STATE',
  '(VI_1) removing VIPs.',
  '(VI_1) Backup received priority 0 advertisement',
  '(VI_1) Receive advertisement timeout',
  '(VI_1) Entering MASTER STATE',
  '(VI_1) setting VIPs.',
  '(VI_1) sent 0 priority',
  '(VI_1) removing VIPs.',
];

test('keepalived 2.2.7 observed log sequence is reproduced line for line (RFC 3768 §6.4)', () => {
  const lossless = { lossProb: 0, dupProb: 0, minDelayMs: 0.1, maxDelayMs: 0.2 };
  const a = { address: Uint8Array.of(10, 77, 0, 1), configs: [cfg(200, 1)] };
  const b = { address: Uint8Array.of(10, 77, 0, 2), configs: [cfg(100, 2)] };
  const sim = new LanSim([a, b], () => lossless, [], new Prng(1));
  const lines: string[][] = [[], []];
  sim.onEffect = (router, _vrid, e) => {
    if (e.type === 'log') lines[router]?.push(e.text);
  };
  sim.control(0, 1, 77, { type: 'start' });
  sim.control(5000, 0, 77, { type: 'start' });
  sim.control(11_000, 0, 77, { type: 'shutdown' });
  sim.control(15_000, 1, 77, { type: 'shutdown' });
  sim.run(20_000);
  assert.deepEqual(lines[0], KEEPALIVED_A);
  assert.deepEqual(lines[1], KEEPALIVED_B);
});

test('RFC 5798 §6.4 keepalived 2.2.7 observed fault while MASTER: log order and two priority-0 adverts on the wire', () => {
  // Observed: track_file weight 0 set to 1 about 6 s after start, back to 0 3 s later;
  // tcpdump on the peer saw priority 150 three times, then priority 0 twice.
  const lossless = { lossProb: 0, dupProb: 0, minDelayMs: 0.1, maxDelayMs: 0.2 };
  const m = {
    address: Uint8Array.of(10, 79, 0, 1),
    configs: [{ ...cfg(150, 1), vrid: 79, sourceAddress: Uint8Array.of(10, 79, 0, 1) }],
  };
  const peer = { address: Uint8Array.of(10, 79, 0, 2), configs: [] };
  const sim = new LanSim([m, peer], () => lossless, [], new Prng(1));
  const lines: string[] = [];
  const sent: number[] = [];
  sim.onEffect = (_router, _vrid, e) => {
    if (e.type === 'log') lines.push(e.text);
    if (e.type === 'sendAdvert') sent.push(e.priority);
  };
  sim.control(0, 0, 79, { type: 'start' });
  sim.control(6000, 0, 79, { type: 'fault', reason: 'tracked file trk' });
  sim.control(9000, 0, 79, { type: 'faultCleared', reason: 'tracked file trk' });
  sim.control(11_000, 0, 79, { type: 'shutdown' });
  sim.run(14_000);
  assert.deepEqual(lines, [
    '(VI_1) removing VIPs.',
    '(VI_1) Entering BACKUP STATE (init)',
    '(VI_1) Receive advertisement timeout',
    '(VI_1) Entering MASTER STATE',
    '(VI_1) setting VIPs.',
    '(VI_1) Entering FAULT STATE',
    '(VI_1) sent 0 priority',
    '(VI_1) removing VIPs.',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.deepEqual(sent, [150, 150, 150, 0, 0]);
});

test('RFC 5798 §6.4.2 keepalived 2.2.7 observed preempt_delay: delay starts at the first lower-priority advert', () => {
  // Observed: L (prio 100) master first; H (prio 200, preempt_delay 4) started 5 s later:
  // "start preempt delay" on the first advert, discards from 4 s later, then timeout.
  const fixed = { lossProb: 0, dupProb: 0, minDelayMs: 0.1, maxDelayMs: 0.1 };
  const h = {
    address: Uint8Array.of(10, 80, 0, 1),
    configs: [{ ...cfg(200, 1), vrid: 80, sourceAddress: Uint8Array.of(10, 80, 0, 1), preemptDelayMs: 4000 }],
  };
  const l = {
    address: Uint8Array.of(10, 80, 0, 2),
    configs: [{ ...cfg(100, 2), vrid: 80, sourceAddress: Uint8Array.of(10, 80, 0, 2) }],
  };
  const sim = new LanSim([h, l], () => fixed, [], new Prng(1));
  const lines: string[][] = [[], []];
  sim.onEffect = (router, _vrid, e) => {
    if (e.type === 'log') lines[router]?.push(e.text);
  };
  sim.control(0, 1, 80, { type: 'start' });
  sim.control(5000, 0, 80, { type: 'start' });
  sim.control(16_000, 0, 80, { type: 'shutdown' });
  sim.control(16_050, 1, 80, { type: 'shutdown' });
  sim.run(20_000);
  const discard = '(VI_1) received lower priority (100) advert from 10.80.0.2 - discarding';
  assert.deepEqual(lines[0], [
    '(VI_1) removing VIPs.',
    '(VI_1) Entering BACKUP STATE (init)',
    '(VI_1) start preempt delay (4.000000)',
    discard,
    discard,
    discard,
    '(VI_1) Receive advertisement timeout',
    '(VI_1) Entering MASTER STATE',
    '(VI_1) setting VIPs.',
    '(VI_1) sent 0 priority',
    '(VI_1) removing VIPs.',
  ]);
  assert.deepEqual(lines[1], [
    '(VI_1) removing VIPs.',
    '(VI_1) Entering BACKUP STATE (init)',
    '(VI_1) Receive advertisement timeout',
    '(VI_1) Entering MASTER STATE',
    '(VI_1) setting VIPs.',
    '(VI_1) Master received advert from 10.80.0.1 with higher priority 200, ours 100',
    '(VI_1) Entering BACKUP STATE',
    '(VI_1) removing VIPs.',
    '(VI_1) Backup received priority 0 advertisement',
  ]);
});

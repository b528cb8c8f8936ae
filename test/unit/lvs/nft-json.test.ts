/** nftables JSON: scheduler → selector mapping, weighted shares, and the document's shape. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceState } from '../../../src/lvs/model.js';
import { nftDocument, selectorFor, shares } from '../../../src/lvs/nft-json.js';

const base: ServiceState = {
  match: { kind: 'address', family: 4, address: '10.0.0.1', port: 80, protocol: 'TCP' },
  scheduler: 'wrr',
  schedulerFlags: [],
  destinations: [
    { family: 4, address: '10.0.1.1', port: 8080, weight: 3, lbKind: 'NAT' },
    { family: 4, address: '10.0.1.2', port: 8080, weight: 0, lbKind: 'NAT' },
    { family: 4, address: '10.0.1.3', port: 0, weight: 1, lbKind: 'NAT' },
  ],
};

type Cmd = { add?: { rule?: { chain: string; expr: unknown[] }; chain?: { name: string; hook?: string } } };
const rulesOf = (doc: { nftables: Cmd[] }, chain: string) =>
  doc.nftables.filter((c) => c.add?.rule?.chain === chain).map((c) => c.add!.rule!.expr);

describe('lvs/nft-json', () => {
  const selectors: [ServiceState['scheduler'], number | undefined, string][] = [
    ['rr', undefined, 'inc'],
    ['wrr', undefined, 'inc'],
    ['wlc', undefined, 'inc'],
    ['lc', undefined, 'inc'],
    ['sh', undefined, 'saddr'],
    ['mh', undefined, 'saddr'],
    ['wrr', 300, 'saddr'],
    ['dh', undefined, 'daddr'],
    ['twos', undefined, 'random'],
    ['fo', undefined, 'first'],
    ['ovf', undefined, 'first'],
  ];
  for (const [scheduler, persistence, want] of selectors)
    test(`${scheduler}${persistence ? ' + persistence' : ''} → ${want}`, () => {
      assert.equal(
        selectorFor({ ...base, scheduler, ...(persistence ? { persistenceTimeoutS: persistence } : {}) }),
        want,
      );
    });

  test('weighted shares skip weight 0; rr gives equal shares', () => {
    assert.deepEqual(shares([3, 0, 1], false), [
      { index: 0, from: 0, to: 2 },
      { index: 2, from: 3, to: 3 },
    ]);
    assert.deepEqual(shares([3, 0, 1], true), [
      { index: 0, from: 0, to: 0 },
      { index: 2, from: 1, to: 1 },
    ]);
  });

  test('document: replace table atomically, base chains, numgen vmap over weighted ranges', () => {
    const doc = nftDocument([base]) as { nftables: Cmd[] };
    assert.deepEqual(doc.nftables.slice(0, 2), [
      { add: { table: { family: 'inet', name: 'keepalived_ts' } } },
      { delete: { table: { family: 'inet', name: 'keepalived_ts' } } },
    ]);
    assert.deepEqual(rulesOf(doc, 'svc0'), [
      [
        {
          vmap: {
            key: { numgen: { mode: 'inc', mod: 4, offset: 0 } },
            data: {
              set: [
                [{ range: [0, 2] }, { goto: { target: 'svc0_d0' } }],
                [3, { goto: { target: 'svc0_d2' } }],
              ],
            },
          },
        },
      ],
    ]);
    // a port mapping needs an l4proto match first; port 0 keeps the client's port
    assert.deepEqual(rulesOf(doc, 'svc0_d0'), [
      [
        { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'tcp' } },
        { dnat: { family: 'ip', addr: '10.0.1.1', port: 8080 } },
      ],
    ]);
    assert.deepEqual(rulesOf(doc, 'svc0_d2'), [[{ dnat: { family: 'ip', addr: '10.0.1.3' } }]]);
    const jump = rulesOf(doc, 'prerouting')[0]!;
    assert.equal(JSON.stringify(jump.at(-1)), '{"jump":{"target":"svc0"}}');
    assert.deepEqual(rulesOf(doc, 'output'), rulesOf(doc, 'prerouting'));
    const hooks = doc.nftables.filter((c) => c.add?.chain?.hook).map((c) => c.add!.chain!.hook);
    assert.deepEqual(hooks, ['prerouting', 'output']);
  });

  test('no selectable destination rejects like IPVS; one destination is a plain goto', () => {
    const none = nftDocument([{ ...base, destinations: [] }]) as { nftables: Cmd[] };
    assert.deepEqual(rulesOf(none, 'svc0'), [[{ reject: { type: 'icmpx', expr: 'port-unreachable' } }]]);
    const one = nftDocument([{ ...base, destinations: [base.destinations[0]!] }]) as { nftables: Cmd[] };
    assert.deepEqual(rulesOf(one, 'svc0'), [[{ goto: { target: 'svc0_d0' } }]]);
  });

  test('sh hashes the source address; IPv6 uses ip6 payloads', () => {
    const v6: ServiceState = {
      ...base,
      scheduler: 'sh',
      match: { kind: 'address', family: 6, address: 'fd00::1', port: 80, protocol: 'TCP' },
      destinations: [
        { family: 6, address: 'fd00::2', port: 80, weight: 1, lbKind: 'NAT' },
        { family: 6, address: 'fd00::3', port: 80, weight: 1, lbKind: 'NAT' },
      ],
    };
    const doc = nftDocument([v6]) as { nftables: Cmd[] };
    const text = JSON.stringify(rulesOf(doc, 'svc0'));
    assert.match(
      text,
      /"jhash":\{"mod":2,"seed":0,"offset":0,"expr":\{"payload":\{"protocol":"ip6","field":"saddr"\}\}\}/,
    );
    assert.match(
      JSON.stringify(rulesOf(doc, 'prerouting')),
      /"protocol":"ip6","field":"daddr"\}\},"right":"fd00::1"/,
    );
  });

  test('fwmark services match the mark and family; an empty desired state only deletes the table', () => {
    const fw = nftDocument([{ ...base, match: { kind: 'fwmark', family: 4, fwmark: 7 } }]) as {
      nftables: Cmd[];
    };
    assert.match(
      JSON.stringify(rulesOf(fw, 'prerouting')),
      /"nfproto"\}\},"right":"ipv4".*"mark"\}\},"right":7/,
    );
    assert.equal(rulesOf(fw, 'svc0_d0').length, 3); // tcp, udp, sctp port mappings
    assert.equal((nftDocument([]) as { nftables: Cmd[] }).nftables.length, 2);
  });
});

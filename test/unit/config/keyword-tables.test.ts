/**
 * Every keyword a handler table interprets exists in keepalived 2.2.7's grammar (or is a
 * documented keepalived-ts extension): a handler the parser can never reach is dead code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grammar } from '../../../src/config/ast.js';
import { GLOBAL_DEFS } from '../../../src/config/keywords/global-defs.js';
import { ROOT_GRAMMAR } from '../../../src/config/keywords/grammar.js';
import { VIRTUAL_SERVER } from '../../../src/config/keywords/virtual-server.js';
import { VRRP_INSTANCE } from '../../../src/config/keywords/vrrp-instance.js';
import {
  BFD_INSTANCE,
  VRRP_SCRIPT,
  VRRP_SYNC_GROUP,
  VRRP_TRACK_FILE,
  VRRP_TRACK_PROCESS,
} from '../../../src/config/keywords/vrrp-trackers.js';

const tables: [string, object][] = [
  ['global_defs', GLOBAL_DEFS],
  ['vrrp_instance', VRRP_INSTANCE],
  ['vrrp_script', VRRP_SCRIPT],
  ['vrrp_sync_group', VRRP_SYNC_GROUP],
  ['vrrp_track_file', VRRP_TRACK_FILE],
  ['vrrp_track_process', VRRP_TRACK_PROCESS],
  ['bfd_instance', BFD_INSTANCE],
  ['virtual_server', VIRTUAL_SERVER],
];

for (const [block, table] of tables)
  test(`every ${block} handler is reachable through the grammar`, () => {
    const children: Grammar | undefined = ROOT_GRAMMAR.get(block)?.children;
    assert.ok(children, `${block} is a block`);
    const unreachable = Object.keys(table).filter((k) => !children.has(k));
    assert.deepEqual(unreachable, []);
  });

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KeywordDef, ROOT_GRAMMAR } from '../../../src/config/keywords/grammar-data.js';

function at(...path: string[]): KeywordDef | undefined {
  let table: Readonly<Record<string, KeywordDef>> | undefined = ROOT_GRAMMAR;
  let def: KeywordDef | undefined;
  for (const kw of path) {
    def = table && Object.hasOwn(table, kw) ? table[kw] : undefined;
    table = def?.children;
  }
  return def;
}

describe('keepalived 2.2.7 grammar data', () => {
  it('has the main root blocks', () => {
    for (const kw of [
      'global_defs',
      'vrrp_instance',
      'vrrp_sync_group',
      'vrrp_script',
      'virtual_server',
      'SSL',
    ]) {
      assert.equal(at(kw)?.shape, 'block', kw);
    }
    assert.equal(at('static_ipaddress')?.shape, 'list');
    assert.equal(at('virtual_server_group')?.shape, 'list');
  });

  it('knows vrrp_instance lists, blocks and values', () => {
    assert.equal(at('vrrp_instance', 'virtual_ipaddress')?.shape, 'list');
    assert.equal(at('vrrp_instance', 'track_script')?.shape, 'list');
    assert.equal(at('vrrp_instance', 'unicast_peer')?.shape, 'list');
    assert.equal(at('vrrp_instance', 'authentication')?.shape, 'block');
    assert.equal(at('vrrp_instance', 'authentication', 'auth_pass')?.shape, 'value');
    assert.equal(at('vrrp_instance', 'priority')?.shape, 'value');
    assert.equal(at('vrrp_sync_group', 'group')?.shape, 'list');
    assert.equal(at('global_defs', 'notification_email')?.shape, 'list');
  });

  it('nests checkers under real_server and url under HTTP_GET/SSL_GET', () => {
    assert.equal(at('virtual_server', 'real_server')?.shape, 'block');
    for (const checker of [
      'TCP_CHECK',
      'HTTP_GET',
      'SSL_GET',
      'MISC_CHECK',
      'SMTP_CHECK',
      'DNS_CHECK',
      'BFD_CHECK',
    ]) {
      assert.equal(at('virtual_server', 'real_server', checker)?.shape, 'block', checker);
    }
    assert.equal(at('virtual_server', 'real_server', 'HTTP_GET', 'url', 'path')?.shape, 'value');
    assert.equal(at('virtual_server', 'real_server', 'SSL_GET', 'url')?.shape, 'block');
    assert.equal(at('virtual_server', 'TCP_CHECK'), undefined);
    assert.equal(at('virtual_server', 'lb_algo')?.shape, 'value');
  });

  it('omits keywords keepalived 2.2.7 rejects', () => {
    assert.equal(at('global_defs', 'lvs_id'), undefined);
    assert.equal(at('virtual_server', 'nat_mask'), undefined);
    assert.equal(at('local_address_group'), undefined);
    assert.equal(at('virtual_server', 'real_server', 'TCP_CHECK', 'nb_get_retry'), undefined);
    assert.equal(at('vrrp_instance', 'no_virtual_ipaddress'), undefined);
    assert.equal(at('include'), undefined);
  });

  it('gives children exactly to blocks', () => {
    const walk = (table: Readonly<Record<string, KeywordDef>>, path: string): void => {
      for (const [kw, def] of Object.entries(table)) {
        assert.equal(def.children !== undefined, def.shape === 'block', `${path}${kw}`);
        if (def.children) walk(def.children, `${path}${kw} > `);
      }
    };
    walk(ROOT_GRAMMAR, '');
  });
});

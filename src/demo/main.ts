/**
 * @module `make demo`: the article's two keepalived.conf files, checked and printed
 * back in canonical form, then a broken variant to show the diagnostics.
 * (The failover demo replaces this once the VRRP daemon lands.)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../config/diagnostic.js';
import { dumpConfig } from '../config/dump.js';
import { loadConfig } from '../config/load.js';
import { nodeFileSystem } from '../config/source.js';
import { memoryFileSystem } from './memory-fs.js';

const examples = resolve(import.meta.dirname, '../../../examples');

function show(title: string, path: string, fs = nodeFileSystem): void {
  console.log(`\n=== ${title}: ${path}`);
  const { config, diagnostics } = loadConfig(path, { fs, configId: 'demo', cwd: examples });
  for (const d of diagnostics) console.log(formatDiagnostic(d));
  if (!config) return;
  const failing = diagnostics.filter((d) => d.severity !== 'notice').length;
  console.log(
    failing === 0
      ? '--> configuration OK; canonical form:\n'
      : `--> ${failing} problem(s); what would run:\n`,
  );
  process.stdout.write(dumpConfig(config));
}

show('server1 (master)', join(examples, 'server1.conf'));
show('server2 (backup)', join(examples, 'server2.conf'));

const broken = readFileSync(join(examples, 'server1.conf'), 'latin1')
  .replace('priority 255', 'priority 300')
  .replace('auth_pass 12345', 'auth_pass 123456789')
  .replace('advert_int 1', 'advert_int 1\n        garp_master_dealy 5');
show('server1 with three mistakes', '/demo/broken.conf', memoryFileSystem({ '/demo/broken.conf': broken }));

/** Loads a keepalived.conf text into a Config for the LVS/check tests (in-memory fs). */
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';
import type { HostEnvironment } from '../../../src/config/validate.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const env: HostEnvironment = {
  interfaceExists: () => true,
  userExists: () => true,
  findScript: (c) => ({ found: true, path: c, secure: true }),
  resolvable: () => true,
  isRoot: () => true,
};

export function configOf(text: string): Config {
  const r = loadConfig('keepalived.conf', {
    fs: memoryFs({ '/c/keepalived.conf': text }),
    configId: 't',
    cwd: '/c',
    env,
  });
  if (!r.config) throw new Error(`config failed: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.config;
}

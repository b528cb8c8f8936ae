/**
 * `-t` lets each address- or fwmark-served virtual server's real servers go once the
 * server is built (LoadOptions.verdictsOnly, src/config/server-verdicts.ts), reporting
 * what validation would say of it from a record made then. The diagnostics must be the
 * same, in the same order, as when the whole model is kept and validated at the end:
 * compared here on every corpus file, the bench file and servers built to trip every
 * virtual-server check and the script security rule (with group-served servers, which
 * are kept whole, in between).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateConfig } from '../../../bench/config-parse.js';
import { loadConfig } from '../../../src/config/load.js';
import { nodeFileSystem } from '../../../src/config/source.js';
import type { HostEnvironment } from '../../../src/config/validate.js';
import { CORPUS_CONFIG_ID, corpusDir } from '../../helpers/corpus.js';
import { memoryFs } from '../../helpers/memory-fs.js';

const host: HostEnvironment = {
  interfaceExists: (n) => ['lo', 'eth0'].includes(n),
  userExists: (n) => n === 'root' || n === 'nobody',
  findScript: (c) =>
    c === '/bin/true' || c === 'true' ? { found: true, path: '/bin/true', secure: true } : { found: false },
  resolvable: (h) => /^\d+\.\d+\.\d+\.\d+$/.test(h),
  isRoot: () => true,
};

function bothWays(read: (verdictsOnly: boolean) => ReturnType<typeof loadConfig>) {
  const whole = read(false);
  const verdicts = read(true);
  // Compared as text: a structural diff of two long lists takes long to print.
  assert.equal(JSON.stringify(verdicts.diagnostics), JSON.stringify(whole.diagnostics));
  return { whole, verdicts };
}

function fromText(text: string) {
  return bothWays((verdictsOnly) =>
    loadConfig('keepalived.conf', {
      fs: memoryFs({ '/c/keepalived.conf': text }),
      configId: 'n1',
      cwd: '/c',
      env: host,
      randomSeed: 1,
      verdictsOnly,
    }),
  );
}

const TRIPS_EVERY_CHECK = `
virtual_server_group G {
  10.0.0.9 80
}
virtual_server 10.0.0.1 80 {
  quorum 50
  quorum_up /bin/true
  real_server 10.0.0.2 81 {
    lb_kind DR
    notify_up /bin/true
    MISC_CHECK {
      misc_path "/bin/true arg"
    }
  }
}
virtual_server group G {
  protocol TCP
  real_server 10.0.0.3 81 {
    lb_kind DR
    notify_down /bin/true
  }
}
virtual_server fwmark 7 {
  protocol TCP
  lb_kind TUN
  real_server 10.0.0.4 82 {
    weight 0
  }
  sorry_server 10.0.0.5 83
}
virtual_server group MISSING {
  real_server 10.0.0.6 80 {
  }
}
virtual_server 10.0.0.7 80 {
  protocol TCP
  ops
  lb_kind DR
  real_server 10.0.0.8 90 {
    notify_down "/bin/true down"
  }
}
`;

describe('-t validates virtual servers as they are built, with the same diagnostics', () => {
  test('every virtual-server check and script security, groups in between', () => {
    const { whole, verdicts } = fromText(TRIPS_EVERY_CHECK);
    const messages = whole.diagnostics.map((d) => d.message).join('\n');
    for (const expected of [
      /no protocol set/,
      /quorum 50 .* exceeds total weight/,
      /ports don't match/,
      /has port specified/,
      /not configured/,
      /one packet scheduling requires UDP/,
      /SECURITY VIOLATION - check scripts/,
    ])
      assert.match(messages, expected);
    // The servers were let go, the group-served ones kept whole.
    const kept = verdicts.config!.virtualServers.map((vs) => vs.realServers.length);
    assert.deepEqual(kept, [0, 1, 0, 1, 0]);
    assert.deepEqual(
      whole.config!.virtualServers.map((vs) => vs.realServers.length),
      [1, 1, 1, 1, 1],
    );
  });

  test('the 1,000 x 10 bench configuration', () => {
    const { verdicts } = fromText(generateConfig(1000, 10));
    assert.equal(verdicts.config!.virtualServers.length, 1000);
  });

  test('every file of the corpus', {
    skip: readdirSync(corpusDir, { withFileTypes: true }).length === 0,
  }, () => {
    const files = readdirSync(corpusDir).filter((f) => f.endsWith('.conf'));
    assert.ok(files.length >= 100, `${files.length} corpus files`);
    let reported = 0;
    for (const file of files) {
      const { whole } = bothWays((verdictsOnly) =>
        loadConfig(join(corpusDir, file), {
          fs: nodeFileSystem,
          configId: CORPUS_CONFIG_ID,
          cwd: corpusDir,
          env: host,
          randomSeed: 1,
          verdictsOnly,
        }),
      );
      if (whole.diagnostics.length > 0) reported++;
    }
    assert.ok(reported > 50, `most corpus files report something (${reported})`);
  });
});

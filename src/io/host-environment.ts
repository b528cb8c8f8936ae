/**
 * @module The real host as configuration validation sees it: interfaces from
 * /sys/class/net, users from /etc/passwd, scripts resolved like execvp with keepalived's
 * security rule (no path component writable by a non-root user), names through getent.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { HostEnvironment } from '../config/validate.js';

function passwdUsers(): Set<string> {
  try {
    return new Set(
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .map((l) => l.split(':')[0]!)
        .filter(Boolean),
    );
  } catch {
    return new Set();
  }
}

/** A file is secure when it and every directory above it are writable only by root. */
function isSecurePath(path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    try {
      const st = statSync(p);
      if (st.uid !== 0 || st.mode & 0o022) return false;
    } catch {
      return false;
    }
    if (p === '/' || p === '.') return true;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function realHostEnvironment(
  path = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
): HostEnvironment {
  const users = passwdUsers();
  return {
    interfaceExists: (name) => existsSync(join('/sys/class/net', name)) && !name.includes('/'),
    userExists: (name) => users.has(name) || /^\d+$/.test(name),
    findScript(command) {
      if (command === '') return { found: false };
      const candidates = command.includes('/')
        ? [isAbsolute(command) ? command : join(process.cwd(), command)]
        : path.split(':').map((d) => join(d, command));
      const hit = candidates.find(executable);
      return hit ? { found: true, path: hit, secure: isSecurePath(hit) } : { found: false };
    },
    resolvable(host) {
      if (/^[0-9.]+$/.test(host) || host.includes(':'))
        return /^(\d{1,3}\.){3}\d{1,3}$/.test(host) || host.includes(':');
      const r = spawnSync('getent', ['hosts', host], { timeout: 2000, stdio: 'ignore' });
      return r.status === 0;
    },
    isRoot: () => process.getuid?.() === 0,
  };
}

/**
 * @module The `nft` command, run asynchronously with a timeout: JSON documents go through a
 * private temp file (nft cannot open /dev/stdin when it is a socket pair, as Node's pipes
 * are). Used by the LVS nftables plane and the VRRP firewall; never rejects.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NftRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Applies a JSON document through a private temp file; never rejects. */
export async function applyNftJson(doc: string, nft = 'nft'): Promise<NftRun> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'kts-nft-'));
    const file = join(dir, 'ruleset.json');
    await writeFile(file, doc, { mode: 0o600 });
    return await runNft(['-j', '-f', file], '', 10_000, nft);
  } catch (e) {
    return { code: -1, stdout: '', stderr: String(e) };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Runs `nft args` with `input` on stdin; never rejects. */
export function runNft(
  args: readonly string[],
  input = '',
  timeoutMs = 10_000,
  nft = 'nft',
): Promise<NftRun> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(nft, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout, stderr: String(e) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/**
 * @module tshark as the judge: every VRRP frame a node sent must dissect cleanly with
 * a good checksum and carry exactly the fields its config asks for (RFC 3768 §5,
 * RFC 5798 §5: TTL/hop limit 255, version, type 1, VRID, priority or 0 at shutdown,
 * address count and addresses, auth type and string in v2, advert interval). Returns
 * human-readable problems, empty when all is well.
 */
import type { AnnounceFrame, VrrpFrame } from './capture.js';
import type { ExpectedAdvert } from './configs.js';

const MAX_PROBLEMS = 10;

function frameProblems(f: VrrpFrame, exp: ExpectedAdvert): string[] {
  const p: string[] = [];
  const want = (name: string, got: unknown, expected: unknown) => {
    if (got !== expected) p.push(`${name} ${String(got)} (want ${String(expected)})`);
  };
  if (f.checksumStatus !== 1) p.push(`checksum status ${f.checksumStatus} (want 1 good)`);
  if (f.malformed) p.push('tshark flags the frame malformed / error');
  want('ttl', f.ttl, 255);
  want('version', f.version, exp.version);
  want('type', f.type, 1);
  want('vrid', f.vrid, exp.vrid);
  if (f.priority !== exp.priority && f.priority !== 0)
    p.push(`priority ${f.priority} (want ${exp.priority} or 0)`);
  want('addr count', f.addrCount, exp.addresses.length);
  want('addresses', f.addresses.join(','), exp.addresses.join(','));
  want('adver int', f.adverInt, exp.adverInt);
  want('src', f.src, exp.src);
  want('dst', f.dst, exp.dst);
  if (exp.authType !== null) want('auth type', f.authType, exp.authType);
  if (exp.authString !== null) want('auth string', f.authString, exp.authString);
  if (exp.ah && f.ahSpi === '') p.push('not wrapped in AH');
  if (!exp.ah && f.ahSpi !== '') p.push('unexpected AH header');
  return p;
}

/** Problems with the adverts sent from `ethSrc`; `minCount` of them must exist. */
export function judgeAdverts(
  frames: readonly VrrpFrame[],
  ethSrc: string,
  exp: ExpectedAdvert,
  minCount = 1,
): string[] {
  const mine = frames.filter((f) => f.ethSrc === ethSrc);
  const problems: string[] = [];
  if (mine.length < minCount)
    problems.push(`only ${mine.length} adverts from ${ethSrc} (want >= ${minCount})`);
  for (const f of mine) {
    const p = frameProblems(f, exp);
    if (p.length > 0) problems.push(`frame at ${(f.t / 1000).toFixed(6)} from ${f.src}: ${p.join('; ')}`);
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return problems;
}

/** Problems with the GARPs / unsolicited NAs `ethSrc` sent for `vip` after `after` ms. */
export function judgeAnnounces(
  frames: readonly AnnounceFrame[],
  ethSrc: string,
  vip: string,
  after: number,
): string[] {
  const mine = frames.filter((f) => f.ethSrc === ethSrc && f.target === vip && f.t >= after);
  if (mine.length === 0) return [`no gratuitous ARP / unsolicited NA for ${vip} from ${ethSrc}`];
  return mine.flatMap((f) => {
    const p: string[] = [];
    if (f.mac !== ethSrc) p.push(`${f.kind} announces ${f.mac}, sent from ${ethSrc}`);
    if (!f.checksumOk) p.push(`${f.kind} with a bad checksum`);
    return p;
  });
}

/** Adverts with priority > 0 per sender MAC in [from, to): who acted as master when. */
export function advertsBySender(frames: readonly VrrpFrame[], from = 0, to = Number.POSITIVE_INFINITY) {
  const by = new Map<string, VrrpFrame[]>();
  for (const f of frames) {
    if (f.t < from || f.t >= to || f.priority === 0) continue;
    by.set(f.ethSrc, [...(by.get(f.ethSrc) ?? []), f]);
  }
  return by;
}

/**
 * @module `vrrp_instance NAME { ... }`: one virtual router, with keepalived 2.2.7's
 * defaults (priority 100, advert_int 1 s, preempt on) and per-keyword checks.
 */
import type { Statement } from '../ast.js';
import type { Mutable, TrackRef, UnicastPeer, VirtualAddress, VrrpInstance } from '../model.js';
import { parseIpPrefix, readBool, readDouble, readInt, readUnsigned, wordLoc } from '../values.js';
import { parseAddressItem, parseRouteItem, parseRuleItem } from './addresses.js';
import { arg, type BuildContext, type KeywordTable, listWords, notifyScript } from './common.js';
import { simpleHandlers } from './simple.js';
import { INSTANCE_SIMPLE } from './simple-tables.js';

type Arr<T> = T extends readonly (infer U)[] ? U[] : T;
export type InstanceTarget = Omit<
  { -readonly [K in keyof Mutable<VrrpInstance>]: Arr<VrrpInstance[K]> },
  'notify' | 'other'
> & {
  other: Record<string, string[]>;
  notify: Mutable<VrrpInstance['notify']>;
};

export function newInstance(name: string, stmt: Statement): InstanceTarget {
  return {
    name,
    loc: stmt.loc,
    initialState: undefined,
    dontTrackPrimary: false,
    priority: 100,
    advertIntCs: 100,
    virtualAddresses: [],
    excludedAddresses: [],
    virtualRoutes: [],
    virtualRules: [],
    unicastPeers: [],
    vmacXmitBase: false,
    nativeIpv6: false,
    preempt: true,
    preemptDelayMs: 0,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackBfds: [],
    notify: {},
    other: {},
  };
}

const MAX_AUTH_PASS = 8;

/** `name [weight N [reverse]]` lines of track_* blocks. */
export function trackRefs(
  ctx: BuildContext,
  stmt: Statement,
  owner: string,
  weightRange: [number, number],
): TrackRef[] {
  const refs: TrackRef[] = [];
  for (const item of stmt.items ?? []) {
    const [name, ...opts] = item.words;
    if (!name) continue;
    let weight: number | undefined;
    let reverse = false;
    for (let i = 0; i < opts.length; i++) {
      const w = opts[i]!;
      if (w.text === 'weight') {
        const v = opts[++i];
        if (!v) {
          ctx.diags.error('syntax', `(${owner}) weight missing for tracked ${name.text}`, {
            ...item.loc,
            col: w.col,
          });
          continue;
        }
        if (
          !/^[+-]?\d+$/.test(v.text) ||
          Number(v.text) < weightRange[0] ||
          Number(v.text) > weightRange[1]
        ) {
          ctx.diags.error(
            'semantic',
            `(${owner}) weight ${v.text} for ${name.text} must be between [${weightRange[0]}:${weightRange[1]}] inclusive. Ignoring weight.`,
            { ...item.loc, col: v.col },
            { text: v.text },
          );
          continue;
        }
        weight = Number(v.text);
      } else if (w.text === 'reverse') reverse = true;
      else if (w.text === 'noreverse') reverse = false;
      else
        ctx.diags.error(
          'syntax',
          `(${owner}) unknown option '${w.text}' for tracked ${name.text}`,
          { ...item.loc, col: w.col },
          { text: w.text },
        );
    }
    refs.push({
      name: name.text,
      reverse,
      loc: { ...item.loc, col: name.col },
      ...(weight !== undefined ? { weight } : {}),
    });
  }
  return refs;
}

function addresses(list: 'virtualAddresses' | 'excludedAddresses') {
  return (t: InstanceTarget, s: Statement, c: BuildContext): void => {
    for (const item of s.items ?? []) {
      const a = parseAddressItem(c.diags, item, (text) => `VRRP parsed invalid IP ${text}. skipping IP...`);
      if (a) t[list].push(a as VirtualAddress);
    }
  };
}

function num(key: keyof InstanceTarget, min: number, max: number) {
  return (t: InstanceTarget, s: Statement, c: BuildContext): void => {
    const v = readUnsigned(c.diags, s, arg(c, s), min, max);
    if (v !== undefined) (t as Record<string, unknown>)[key] = v;
  };
}

function bool(key: keyof InstanceTarget, value?: boolean) {
  return (t: InstanceTarget, s: Statement, c: BuildContext): void => {
    const v = value ?? readBool(c.diags, s, s.args[0]);
    if (v !== undefined) (t as Record<string, unknown>)[key] = v;
  };
}

function notify(key: keyof InstanceTarget['notify']) {
  return (t: InstanceTarget, s: Statement, c: BuildContext): void => {
    const sc = notifyScript(c, s);
    if (sc) t.notify[key] = sc;
  };
}

/**
 * keepalived 2.2.7 reads unicast_src_ip and unicast_peer addresses with
 * inet_stosockaddr, which ignores a mask or range suffix (`192.168.0.91/24`,
 * `10.0.0.1-5` and even `10.0.0.1/abc` all mean the bare address).
 */
function bareAddress(text: string): string {
  const cut = text.search(/[/-]/);
  return cut > 0 ? text.slice(0, cut) : text;
}

export const VRRP_INSTANCE: KeywordTable<InstanceTarget> = {
  ...simpleHandlers<InstanceTarget>(INSTANCE_SIMPLE),
  state: (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    if (w.text === 'MASTER' || w.text === 'BACKUP') t.initialState = w.text;
    else
      c.diags.error(
        'semantic',
        `(${t.name}) unknown state '${w.text}', defaulting to BACKUP`,
        wordLoc(s, w),
        { text: w.text, hint: 'use MASTER or BACKUP' },
      );
  },
  interface: (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    t.interface = w.text;
    t.interfaceLoc = wordLoc(s, w);
  },
  dont_track_primary: bool('dontTrackPrimary', true),
  virtual_router_id: num('virtualRouterId', 1, 255),
  priority: (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    const v = readInt(c.diags, s, w, -2147483648, 2147483647);
    if (v === undefined) return;
    if (v < 1 || v > 255) {
      c.diags.error(
        'semantic',
        `(${t.name}) Priority not valid! must be between 1 & 255. Using default 100`,
        wordLoc(s, w),
        {
          text: w.text,
          hint: `priority must be 1..255, got ${v}`,
        },
      );
      return;
    }
    t.priority = v;
  },
  advert_int: (t, s, c) => {
    const v = readDouble(c.diags, s, arg(c, s), 0.01, 255);
    if (v !== undefined) t.advertIntCs = Math.round(v * 100);
  },
  version: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 2, 3);
    if (v !== undefined) t.version = v as 2 | 3;
  },
  authentication: (t, s, c) => {
    let type: 'PASS' | 'AH' | undefined;
    let password = '';
    for (const sub of s.body ?? []) {
      const w = arg(c, sub);
      if (!w) continue;
      if (sub.keyword === 'auth_type') {
        if (w.text === 'PASS' || w.text === 'AH') type = w.text;
        else
          c.diags.error('semantic', `(${t.name}) unknown authentication type '${w.text}'`, wordLoc(sub, w), {
            text: w.text,
            hint: 'use PASS or AH',
          });
      } else if (sub.keyword === 'auth_pass') {
        password = w.text;
        if (password.length > MAX_AUTH_PASS) {
          c.diags.error('semantic', `Truncating auth_pass to ${MAX_AUTH_PASS} characters`, wordLoc(sub, w), {
            text: w.text,
            hint: 'VRRPv2 authentication data is 8 bytes',
          });
          password = password.slice(0, MAX_AUTH_PASS);
        }
      }
    }
    if (type) t.authentication = { type, password, loc: s.loc };
  },
  virtual_ipaddress: addresses('virtualAddresses'),
  virtual_ipaddress_excluded: addresses('excludedAddresses'),
  virtual_routes: (t, s, c) => {
    for (const item of s.items ?? []) {
      const r = parseRouteItem(c.diags, item, true);
      if (r) t.virtualRoutes.push(r);
    }
  },
  virtual_rules: (t, s, c) => {
    for (const item of s.items ?? []) {
      const r = parseRuleItem(c.diags, item);
      if (r) t.virtualRules.push(r);
    }
  },
  unicast_src_ip: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(bareAddress(w.text), false);
    if (ip) t.unicastSrcIp = ip;
    else if (w)
      c.diags.error('semantic', `(${t.name}) invalid unicast_src_ip ${w.text}`, wordLoc(s, w), {
        text: w.text,
      });
  },
  mcast_src_ip: (t, s, c) => VRRP_INSTANCE.unicast_src_ip!(t, s, c),
  unicast_peer: (t, s, c) => {
    for (const item of s.items ?? []) {
      const [addr, ...opts] = item.words;
      if (!addr) continue;
      const ip = parseIpPrefix(bareAddress(addr.text), false);
      if (!ip) {
        c.diags.error(
          'semantic',
          `Configuration error: VRRP instance[${t.name}] malformed unicast peer address[${addr.text}]. Skipping...`,
          { ...item.loc, col: addr.col },
          { text: addr.text },
        );
        continue;
      }
      const peer: Mutable<UnicastPeer> = { address: ip, loc: { ...item.loc, col: addr.col } };
      for (let i = 0; i + 1 < opts.length; i += 2) {
        if (opts[i]!.text === 'min_ttl') peer.minTtl = Number(opts[i + 1]!.text);
        else if (opts[i]!.text === 'max_ttl') peer.maxTtl = Number(opts[i + 1]!.text);
      }
      t.unicastPeers.push(peer);
    }
  },
  use_vmac: (t, s) => {
    t.useVmac = s.args[0] ? { name: s.args[0].text } : {};
  },
  vmac_xmit_base: bool('vmacXmitBase', true),
  native_ipv6: bool('nativeIpv6', true),
  accept: bool('accept', true),
  no_accept: bool('accept', false),
  nopreempt: bool('preempt', false),
  preempt: bool('preempt', true),
  preempt_delay: (t, s, c) => {
    const v = readDouble(c.diags, s, arg(c, s), 0, 1000);
    if (v !== undefined) t.preemptDelayMs = Math.round(v * 1000);
  },
  garp_master_delay: num('garpMasterDelayS', 0, 255),
  garp_master_repeat: num('garpMasterRepeat', 1, 255),
  garp_master_refresh: num('garpMasterRefreshS', 0, 4294967295),
  garp_master_refresh_repeat: num('garpMasterRefreshRepeat', 1, 255),
  garp_lower_prio_delay: num('garpLowerPrioDelayS', 0, 255),
  garp_lower_prio_repeat: num('garpLowerPrioRepeat', 0, 255),
  lower_prio_no_advert: bool('lowerPrioNoAdvert'),
  higher_prio_send_advert: bool('higherPrioSendAdvert'),
  track_interface: (t, s, c) => {
    t.trackInterfaces.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_script: (t, s, c) => {
    t.trackScripts.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_file: (t, s, c) => {
    t.trackFiles.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_process: (t, s, c) => {
    t.trackProcesses.push(...trackRefs(c, s, t.name, [-254, 254]));
  },
  track_bfd: (t, s, c) => {
    t.trackBfds.push(...trackRefs(c, s, t.name, [-253, 253]));
  },
  notify_master: notify('master'),
  notify_backup: notify('backup'),
  notify_fault: notify('fault'),
  notify_stop: notify('stop'),
  notify_deleted: notify('deleted'),
  notify: notify('any'),
  notify_master_rx_lower_pri: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.notifyMasterRxLowerPri = sc;
  },
  strict_mode: bool('strictMode'),
  smtp_alert: bool('smtpAlert'),
  debug: num('debug', 0, 4),
  lvs_sync_daemon_interface: (t, s, c) => {
    c.diags.error(
      'semantic',
      `(${t.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`,
      s.loc,
      {
        hint: 'Please use global lvs_sync_daemon',
      },
    );
    t.other[s.keyword] = s.args.map((w) => w.text);
  },
};

/** Words of a `group { a b c }` list with their places. */
export function memberNames(s: Statement) {
  return listWords(s).map(({ word, loc }) => ({ name: word.text, loc }));
}

/**
 * @module `global_defs { ... }`: daemon-wide settings, with keepalived 2.2.7's defaults
 * and range checks.
 */
import type { Statement } from '../ast.js';
import type { GlobalDefs, Mutable } from '../model.js';
import { parseIpPrefix, readBool, readInt, readTimerS, readUnsigned, wordLoc } from '../values.js';
import { arg, type BuildContext, type KeywordTable, lineScript, listWords, notifyScript } from './common.js';
import { simpleHandlers } from './simple.js';
import { GLOBAL_SIMPLE } from './simple-tables.js';

export type GlobalTarget = Mutable<GlobalDefs> & {
  notificationEmails: string[];
  other: Record<string, string[]>;
};

export function defaultGlobalDefs(): GlobalTarget {
  return {
    notificationEmails: [],
    vrrpVersion: 2,
    vrrpStrict: false,
    vrrpGarpMasterDelayS: 5,
    vrrpGarpMasterRepeat: 5,
    vrrpGarpMasterRefreshS: 0,
    vrrpGarpMasterRefreshRepeat: 1,
    vrrpGarpLowerPrioDelayS: 5,
    vrrpGarpLowerPrioRepeat: 5,
    vrrpGarpIntervalUs: 0,
    vrrpGnaIntervalUs: 0,
    vrrpMinGarp: false,
    vrrpLowerPrioNoAdvert: false,
    vrrpHigherPrioSendAdvert: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpCheckUnicastSrc: false,
    vrrpMcastGroup4: '224.0.0.18',
    vrrpMcastGroup6: 'ff02::12',
    enableScriptSecurity: false,
    dynamicInterfaces: false,
    other: {},
  };
}

/** Highest SCHED_RR priority Linux allows: keepalived clamps *_rt_priority to it. */
const MAX_RT_PRIORITY = 99;

function flag<K extends keyof GlobalTarget>(
  key: K,
): (t: GlobalTarget, s: Statement, c: BuildContext) => void {
  return (t, s, c) => {
    const v = readBool(c.diags, s, s.args[0]);
    if (v !== undefined) (t as Record<K, unknown>)[key] = v;
  };
}

function seconds(
  key: keyof GlobalTarget,
  max = 4294967295,
): (t: GlobalTarget, s: Statement, c: BuildContext) => void {
  return (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 0, max);
    if (v !== undefined) (t as Record<string, unknown>)[key] = v;
  };
}

/** vrrp_garp_interval / vrrp_gna_interval: a timer, then keepalived's own complaint. */
function interval(
  key: 'vrrpGarpIntervalUs' | 'vrrpGnaIntervalUs',
): (t: GlobalTarget, s: Statement, c: BuildContext) => void {
  return (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    const v = readTimerS(c.diags, s, w, 1, 1000000000 * 4294.967295);
    if (v === undefined) {
      c.diags.error('semantic', `${s.keyword} '${w.text}' is invalid`, wordLoc(s, w), { text: w.text });
      return;
    }
    t[key] = Math.round(v * 1e6);
  };
}

function rtPriority(t: GlobalTarget, s: Statement, c: BuildContext): void {
  const v = readInt(c.diags, s, arg(c, s), 1, 10000);
  if (v === undefined) return;
  const proc = s.keyword.replace('_rt_priority', '');
  if (v > MAX_RT_PRIORITY) {
    c.diags.error(
      'environment',
      `${proc} process real-time priority ${v} greater than maximum ${MAX_RT_PRIORITY} - setting to maximum`,
      wordLoc(s, s.args[0]),
      { text: String(v) },
    );
  }
  t.other[s.keyword] = [String(Math.min(v, MAX_RT_PRIORITY))];
}

/** `notify_fifo PATH [USER [GROUP]]`: the owner words are resolved when the FIFO is made. */
function fifo(
  key: 'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo',
): (t: GlobalTarget, s: Statement, c: BuildContext) => void {
  return (t, s, c) => {
    const w = arg(c, s);
    if (!w) return;
    if (t[key]?.path) {
      // keepalived 2.2.7 keeps the first and reports the second as a config error (-t exit 5).
      c.diags.error('semantic', `${s.keyword} already specified - ignoring ${w.text}`, wordLoc(s, w), {
        text: w.text,
      });
      return;
    }
    const [, user, group] = s.args;
    t[key] = {
      path: w.text,
      ...(t[key]?.script ? { script: t[key].script } : {}),
      ...(user ? { user: user.text } : {}),
      ...(user && group ? { group: group.text } : {}),
    };
  };
}

function fifoScript(
  key: 'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo',
): (t: GlobalTarget, s: Statement, c: BuildContext) => void {
  return (t, s, c) => {
    const script = notifyScript(c, s);
    if (script) t[key] = { ...t[key], path: t[key]?.path ?? '', script };
  };
}

export const GLOBAL_DEFS: KeywordTable<GlobalTarget> = {
  ...simpleHandlers<GlobalTarget>(GLOBAL_SIMPLE),
  router_id: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.routerId = w.text;
  },
  notification_email: (t, s, c) => {
    const words = listWords(s);
    if (words.length === 0) c.diags.error('semantic', 'Warning - empty notification_email block', s.loc);
    for (const { word } of words) t.notificationEmails.push(word.text);
  },
  notification_email_from: (t, s, c) => {
    const w = arg(c, s);
    if (w) t.notificationEmailFrom = w.text;
  },
  smtp_server: (t, s, c) => {
    const host = arg(c, s);
    if (!host) return;
    const port = s.args[1] ? readUnsigned(c.diags, s, s.args[1], 1, 65535) : 25;
    if (port !== undefined) t.smtpServer = { host: host.text, port, loc: s.loc };
  },
  smtp_connect_timeout: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 1, 4294967295);
    if (v !== undefined) t.smtpConnectTimeoutS = v;
  },
  vrrp_version: (t, s, c) => {
    const v = readUnsigned(c.diags, s, arg(c, s), 2, 3);
    if (v !== undefined) t.vrrpVersion = v as 2 | 3;
  },
  vrrp_strict: flag('vrrpStrict'),
  vrrp_garp_master_delay: seconds('vrrpGarpMasterDelayS', 255),
  vrrp_garp_master_repeat: seconds('vrrpGarpMasterRepeat', 255),
  vrrp_garp_master_refresh: seconds('vrrpGarpMasterRefreshS'),
  vrrp_garp_master_refresh_repeat: seconds('vrrpGarpMasterRefreshRepeat', 255),
  vrrp_garp_lower_prio_delay: seconds('vrrpGarpLowerPrioDelayS', 255),
  vrrp_garp_lower_prio_repeat: seconds('vrrpGarpLowerPrioRepeat', 255),
  vrrp_garp_interval: interval('vrrpGarpIntervalUs'),
  vrrp_gna_interval: interval('vrrpGnaIntervalUs'),
  vrrp_min_garp: flag('vrrpMinGarp'),
  vrrp_lower_prio_no_advert: flag('vrrpLowerPrioNoAdvert'),
  vrrp_higher_prio_send_advert: flag('vrrpHigherPrioSendAdvert'),
  vrrp_skip_check_adv_addr: flag('vrrpSkipCheckAdvAddr'),
  vrrp_check_unicast_src: flag('vrrpCheckUnicastSrc'),
  vrrp_mcast_group4: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip?.family === 4) t.vrrpMcastGroup4 = ip.address;
    else if (w)
      c.diags.error(
        'semantic',
        `vrrp_mcast_group4 '${w.text}' is not an IPv4 multicast address`,
        wordLoc(s, w),
      );
  },
  vrrp_mcast_group6: (t, s, c) => {
    const w = arg(c, s);
    const ip = w && parseIpPrefix(w.text, false);
    if (ip?.family === 6) t.vrrpMcastGroup6 = ip.address;
    else if (w)
      c.diags.error(
        'semantic',
        `vrrp_mcast_group6 '${w.text}' is not an IPv6 multicast address`,
        wordLoc(s, w),
      );
  },
  dynamic_interfaces: (t) => {
    t.dynamicInterfaces = true;
  },
  enable_script_security: (t) => {
    t.enableScriptSecurity = true;
  },
  script_user: (t, s, c) => {
    const user = arg(c, s);
    if (user) t.scriptUser = { user: user.text, loc: s.loc, ...(s.args[1] ? { group: s.args[1].text } : {}) };
  },
  max_auto_priority: (t, s, c) => {
    const v = s.args[0] ? readInt(c.diags, s, s.args[0], -1, 99) : 99;
    if (v !== undefined) t.maxAutoPriority = v;
  },
  vrrp_rt_priority: rtPriority,
  checker_rt_priority: rtPriority,
  bfd_rt_priority: rtPriority,
  vrrp_iptables: (t, s, c) => {
    c.diags.error(
      'semantic',
      "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
      s.loc,
    );
    t.other[s.keyword] = s.args.map((w) => w.text);
  },
  lvs_sync_daemon: (t, s, c) => {
    // 2.2.7: IF [[inst] INSTANCE] [options]; without an instance the checker runs both roles.
    const ifname = arg(c, s);
    const second = s.args[1];
    if (ifname)
      t.lvsSyncDaemon = {
        interface: ifname.text,
        ...(second ? { instance: second.text } : {}),
        options: s.args.slice(2).map((w) => w.text),
      };
  },
  lvs_data_plane: (t, s, c) => {
    const w = arg(c, s);
    if (w?.text === 'ipvs' || w?.text === 'nftables') t.dataPlane = w.text;
    else if (w)
      c.diags.error('semantic', `lvs_data_plane must be ipvs or nftables, got '${w.text}'`, wordLoc(s, w));
  },
  notify_fifo: fifo('notifyFifo'),
  notify_fifo_script: fifoScript('notifyFifo'),
  vrrp_notify_fifo: fifo('vrrpNotifyFifo'),
  vrrp_notify_fifo_script: fifoScript('vrrpNotifyFifo'),
  lvs_notify_fifo: fifo('lvsNotifyFifo'),
  lvs_notify_fifo_script: fifoScript('lvsNotifyFifo'),
  startup_script: (t, s, c) => {
    const sc = notifyScript(c, s);
    if (sc) t.other[s.keyword] = sc.argv.slice();
  },
  shutdown_script: (t, s, c) => {
    const sc = lineScript(c, s);
    if (sc) t.other[s.keyword] = sc.argv.slice();
  },
};

/**
 * @module Config → keepalived.conf text: the canonical, pretty-printed form of what a
 * configuration means (defaults left out, values normalised, includes and macros
 * expanded). Parsing the output gives the same model again.
 */
import type {
  Config,
  GlobalDefs,
  NotifyScripts,
  RealServer,
  ScriptCommand,
  TrackRef,
  VirtualAddress,
  VirtualServer,
  VrrpInstance,
  VrrpScript,
  VrrpSyncGroup,
} from './model.js';
import { formatIpPrefix } from './values.js';

class Writer {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text: string): void {
    this.lines.push(`${'    '.repeat(this.depth)}${text}`);
  }

  block(head: string, body: () => void): void {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line('}');
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function quote(s: string): string {
  return /^[^\s"'#!{}\\]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** A script as one quoted command line, with its user and group after it. */
function script(s: ScriptCommand): string {
  const cmd = s.argv.map((a) => (/^[^\s"'\\]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  return [quote(cmd), s.user, s.group].filter((x) => x !== undefined).join(' ');
}

function address(a: VirtualAddress): string {
  const parts = [formatIpPrefix(a)];
  if (a.broadcast) parts.push('brd', a.broadcast);
  if (a.dev) parts.push('dev', a.dev);
  if (a.scope !== undefined) parts.push('scope', String(a.scope));
  if (a.label) parts.push('label', a.label);
  if (a.peer) parts.push('peer', formatIpPrefix(a.peer));
  if (a.homeAddress) parts.push('home');
  if (a.noDad) parts.push('-nodad');
  if (a.noPrefixRoute) parts.push('noprefixroute');
  if (a.track) parts.push(a.track);
  if (a.useVmac) parts.push('use_vmac');
  return parts.join(' ');
}

function tracks(w: Writer, keyword: string, refs: readonly TrackRef[]): void {
  if (refs.length === 0) return;
  w.block(keyword, () => {
    for (const r of refs)
      w.line(
        [
          r.name,
          ...(r.weight !== undefined ? ['weight', String(r.weight)] : []),
          ...(r.reverse ? ['reverse'] : []),
        ].join(' '),
      );
  });
}

function notifies(w: Writer, n: NotifyScripts): void {
  const names: [keyof NotifyScripts, string][] = [
    ['master', 'notify_master'],
    ['backup', 'notify_backup'],
    ['fault', 'notify_fault'],
    ['stop', 'notify_stop'],
    ['deleted', 'notify_deleted'],
    ['any', 'notify'],
  ];
  for (const [key, kw] of names) {
    const s = n[key];
    if (s) w.line(`${kw} ${script(s)}`);
  }
}

function globalDefs(w: Writer, g: GlobalDefs): void {
  const inner = new Writer();
  globalBody(inner, g);
  if (inner.text().trim() === '') return;
  w.block('global_defs', () => globalBody(w, g));
}

function globalBody(w: Writer, g: GlobalDefs): void {
  if (g.routerId) w.line(`router_id ${quote(g.routerId)}`);
  if (g.notificationEmails.length)
    w.block('notification_email', () => {
      for (const e of g.notificationEmails) w.line(e);
    });
  if (g.notificationEmailFrom) w.line(`notification_email_from ${g.notificationEmailFrom}`);
  if (g.smtpServer) w.line(`smtp_server ${g.smtpServer.host} ${g.smtpServer.port}`);
  if (g.vrrpVersion !== 2) w.line(`vrrp_version ${g.vrrpVersion}`);
  if (g.vrrpStrict) w.line('vrrp_strict');
  if (g.enableScriptSecurity) w.line('enable_script_security');
  if (g.scriptUser)
    w.line(`script_user ${[g.scriptUser.user, g.scriptUser.group].filter(Boolean).join(' ')}`);
  if (g.dynamicInterfaces) w.line('dynamic_interfaces');
  if (g.vrrpSkipCheckAdvAddr) w.line('vrrp_skip_check_adv_addr');
  if (g.vrrpCheckUnicastSrc) w.line('vrrp_check_unicast_src');
  if (g.vrrpGarpMasterDelayS !== 5) w.line(`vrrp_garp_master_delay ${g.vrrpGarpMasterDelayS}`);
  if (g.vrrpGarpMasterRepeat !== 5) w.line(`vrrp_garp_master_repeat ${g.vrrpGarpMasterRepeat}`);
  for (const [k, v] of Object.entries(g.other)) w.line([k, ...v].join(' '));
}

function vrrpScript(w: Writer, s: VrrpScript): void {
  w.block(`vrrp_script ${s.name}`, () => {
    if (s.script) w.line(`script ${quote(s.script.argv.join(' '))}`);
    w.line(`interval ${s.intervalS}`);
    if (s.timeoutS !== undefined) w.line(`timeout ${s.timeoutS}`);
    if (s.weight !== 0) w.line(`weight ${s.weight}${s.weightReverse ? ' reverse' : ''}`);
    if (s.rise !== 1) w.line(`rise ${s.rise}`);
    if (s.fall !== 1) w.line(`fall ${s.fall}`);
    if (s.initFail) w.line('init_fail');
  });
}

function syncGroup(w: Writer, g: VrrpSyncGroup): void {
  w.block(`vrrp_sync_group ${g.name}`, () => {
    w.block('group', () => {
      for (const m of g.members) w.line(m.name);
    });
    notifies(w, g.notify);
    tracks(w, 'track_interface', g.trackInterfaces);
    tracks(w, 'track_script', g.trackScripts);
    if (g.globalTracking) w.line('global_tracking');
    if (g.smtpAlert !== undefined) w.line(`smtp_alert ${g.smtpAlert}`);
  });
}

function instance(w: Writer, i: VrrpInstance): void {
  w.block(`vrrp_instance ${i.name}`, () => {
    if (i.initialState) w.line(`state ${i.initialState}`);
    if (i.interface) w.line(`interface ${i.interface}`);
    if (i.useVmac) w.line(`use_vmac${i.useVmac.name ? ` ${i.useVmac.name}` : ''}`);
    if (i.virtualRouterId !== undefined) w.line(`virtual_router_id ${i.virtualRouterId}`);
    w.line(`priority ${i.priority}`);
    w.line(`advert_int ${i.advertIntCs / 100}`);
    if (i.version) w.line(`version ${i.version}`);
    if (!i.preempt) w.line('nopreempt');
    if (i.preemptDelayMs) w.line(`preempt_delay ${i.preemptDelayMs / 1000}`);
    if (i.accept !== undefined) w.line(i.accept ? 'accept' : 'no_accept');
    if (i.unicastSrcIp) w.line(`unicast_src_ip ${i.unicastSrcIp.address}`);
    if (i.unicastPeers.length)
      w.block('unicast_peer', () => {
        for (const p of i.unicastPeers) w.line(p.address.address);
      });
    if (i.authentication)
      w.block('authentication', () => {
        w.line(`auth_type ${i.authentication!.type}`);
        w.line(`auth_pass ${quote(i.authentication!.password)}`);
      });
    w.block('virtual_ipaddress', () => {
      for (const a of i.virtualAddresses) w.line(address(a));
    });
    if (i.excludedAddresses.length)
      w.block('virtual_ipaddress_excluded', () => {
        for (const a of i.excludedAddresses) w.line(address(a));
      });
    tracks(w, 'track_interface', i.trackInterfaces);
    tracks(w, 'track_script', i.trackScripts);
    tracks(w, 'track_file', i.trackFiles);
    tracks(w, 'track_process', i.trackProcesses);
    notifies(w, i.notify);
    if (i.smtpAlert !== undefined) w.line(`smtp_alert ${i.smtpAlert}`);
  });
}

function realServer(w: Writer, rs: RealServer): void {
  w.block(`real_server ${rs.address.address} ${rs.port}`, () => {
    w.line(`weight ${rs.weight}`);
    if (rs.inhibitOnFailure) w.line('inhibit_on_failure');
    if (rs.notifyUp) w.line(`notify_up ${script(rs.notifyUp)}`);
    if (rs.notifyDown) w.line(`notify_down ${script(rs.notifyDown)}`);
    for (const c of rs.checkers)
      w.block(c.type, () => {
        if (c.connectIp) w.line(`connect_ip ${c.connectIp.address}`);
        if (c.connectPort !== undefined) w.line(`connect_port ${c.connectPort}`);
        if (c.connectTimeoutS !== undefined) w.line(`connect_timeout ${c.connectTimeoutS}`);
        if (c.retry !== undefined) w.line(`retry ${c.retry}`);
        if (c.delayBeforeRetryS !== undefined) w.line(`delay_before_retry ${c.delayBeforeRetryS}`);
      });
  });
}

function virtualServer(w: Writer, vs: VirtualServer): void {
  const head =
    vs.kind === 'fwmark'
      ? `fwmark ${vs.fwmark}`
      : vs.kind === 'group'
        ? `group ${vs.group}`
        : `${vs.address!.address} ${vs.port}`;
  w.block(`virtual_server ${head}`, () => {
    w.line(`delay_loop ${vs.delayLoopS}`);
    w.line(`lb_algo ${vs.lbAlgo}`);
    w.line(`lb_kind ${vs.lbKind}`);
    if (vs.kind !== 'fwmark' && vs.protocolConfigured) w.line(`protocol ${vs.protocol}`);
    if (vs.persistenceTimeoutS !== undefined) w.line(`persistence_timeout ${vs.persistenceTimeoutS}`);
    if (vs.quorum !== 1) w.line(`quorum ${vs.quorum}`);
    if (vs.hysteresis) w.line(`hysteresis ${vs.hysteresis}`);
    if (vs.sorryServer) w.line(`sorry_server ${vs.sorryServer.address.address} ${vs.sorryServer.port}`);
    if (vs.alpha) w.line('alpha');
    if (vs.omega) w.line('omega');
    for (const rs of vs.realServers) realServer(w, rs);
  });
}

export function dumpConfig(config: Config): string {
  const w = new Writer();
  globalDefs(w, config.global);
  for (const s of config.vrrpScripts) vrrpScript(w, s);
  for (const g of config.vrrpSyncGroups) syncGroup(w, g);
  for (const i of config.vrrpInstances) instance(w, i);
  if (config.staticAddresses.length)
    w.block('static_ipaddress', () => {
      for (const a of config.staticAddresses) w.line(address(a));
    });
  for (const vs of config.virtualServers) virtualServer(w, vs);
  return w.text();
}

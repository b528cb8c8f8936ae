/**
 * @module The typed configuration model: what a keepalived.conf means, with
 * keepalived 2.2.7's defaults applied. Readonly and built once (STYLE rule 3); runtime
 * state lives elsewhere. Units are in the names: `Ms` milliseconds, `Us` microseconds,
 * `S` seconds. Addresses are parsed values, never strings to re-parse.
 */
import type { SourceLocation } from './diagnostic.js';
import type { SimpleFields } from './keywords/simple.js';
import type { GLOBAL_SIMPLE, INSTANCE_SIMPLE, VIRTUAL_SERVER_SIMPLE } from './keywords/simple-tables.js';

/** An IPv4 or IPv6 address with an optional prefix length, as parsed from the config. */
export interface IpPrefix {
  readonly family: 4 | 6;
  /** Canonical text form without the prefix (e.g. `10.0.0.1`, `fd00::1`). */
  readonly address: string;
  /** 32 / 128 when none was written. */
  readonly prefixLen: number;
}

/** Script command split into words the way keepalived splits it (quotes and escapes honoured). */
export interface ScriptCommand {
  readonly argv: readonly string[];
  /** The command as written, for logs. */
  readonly text: string;
  readonly user?: string;
  readonly group?: string;
  readonly loc: SourceLocation;
}

export type VrrpState = 'MASTER' | 'BACKUP';
export type AuthType = 'PASS' | 'AH';
export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

export interface VirtualAddress extends IpPrefix {
  readonly dev?: string;
  readonly label?: string;
  readonly scope?: AddressScope;
  readonly broadcast?: string;
  readonly peer?: IpPrefix;
  readonly noPrefixRoute: boolean;
  readonly homeAddress: boolean;
  readonly noDad: boolean;
  readonly track?: 'track' | 'no_track';
  readonly useVmac?: boolean;
  readonly loc: SourceLocation;
}

/** A route for virtual_routes / static_routes (only what was written is set). */
export interface RouteSpec {
  readonly type:
    | 'unicast'
    | 'blackhole'
    | 'unreachable'
    | 'prohibit'
    | 'throw'
    | 'local'
    | 'broadcast'
    | 'multicast'
    | 'nat';
  readonly dst?: IpPrefix;
  readonly src?: IpPrefix;
  readonly via?: IpPrefix;
  readonly dev?: string;
  readonly table?: number | string;
  readonly metric?: number;
  readonly scope?: AddressScope;
  readonly protocol?: number | string;
  readonly onlink: boolean;
  /** Other options as written (mtu, advmss, realms, ...), keyword → value. */
  readonly options: Readonly<Record<string, string>>;
  readonly nexthops: readonly { readonly via?: IpPrefix; readonly dev?: string; readonly weight?: number }[];
  readonly loc: SourceLocation;
}

/** A policy routing rule for virtual_rules / static_rules. */
export interface RuleSpec {
  readonly family: 4 | 6;
  readonly from?: IpPrefix;
  readonly to?: IpPrefix;
  readonly priority?: number;
  readonly table?: number | string;
  readonly action?: 'table' | 'goto' | 'blackhole' | 'unreachable' | 'prohibit' | 'nop';
  readonly fwmark?: number;
  readonly fwmask?: number;
  readonly iif?: string;
  readonly oif?: string;
  readonly options: Readonly<Record<string, string>>;
  readonly loc: SourceLocation;
}

export interface TrackRef {
  readonly name: string;
  /** Undefined: the tracker's own weight applies. */
  readonly weight?: number;
  readonly reverse: boolean;
  readonly loc: SourceLocation;
}

export interface UnicastPeer {
  readonly address: IpPrefix;
  readonly minTtl?: number;
  readonly maxTtl?: number;
  readonly loc: SourceLocation;
}

export interface VrrpInstance extends SimpleFields<typeof INSTANCE_SIMPLE> {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly initialState: VrrpState | undefined;
  readonly interface?: string;
  readonly interfaceLoc?: SourceLocation;
  readonly dontTrackPrimary: boolean;
  readonly virtualRouterId?: number;
  readonly priority: number;
  /** advert_int in centiseconds (v2 needs whole seconds). */
  readonly advertIntCs: number;
  readonly version?: 2 | 3;
  readonly authentication?: {
    readonly type: AuthType;
    readonly password: string;
    readonly loc: SourceLocation;
  };
  readonly virtualAddresses: readonly VirtualAddress[];
  readonly excludedAddresses: readonly VirtualAddress[];
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RuleSpec[];
  readonly unicastSrcIp?: IpPrefix;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly useVmac?: { readonly name?: string };
  readonly vmacXmitBase: boolean;
  readonly nativeIpv6: boolean;
  readonly accept?: boolean;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly garpMasterDelayS?: number;
  readonly garpMasterRepeat?: number;
  readonly garpMasterRefreshS?: number;
  readonly garpMasterRefreshRepeat?: number;
  readonly garpLowerPrioDelayS?: number;
  readonly garpLowerPrioRepeat?: number;
  readonly lowerPrioNoAdvert?: boolean;
  readonly higherPrioSendAdvert?: boolean;
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly trackProcesses: readonly TrackRef[];
  readonly trackBfds: readonly TrackRef[];
  readonly notify: NotifyScripts;
  readonly notifyMasterRxLowerPri?: ScriptCommand;
  readonly strictMode?: boolean;
  readonly smtpAlert?: boolean;
  readonly debug?: number;
  /** Keywords we accept and keep but do not interpret yet: keyword → words. */
  readonly other: Readonly<Record<string, readonly string[]>>;
}

export interface NotifyScripts {
  readonly master?: ScriptCommand;
  readonly backup?: ScriptCommand;
  readonly fault?: ScriptCommand;
  readonly stop?: ScriptCommand;
  readonly deleted?: ScriptCommand;
  readonly any?: ScriptCommand;
}

export interface VrrpScript {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly script?: ScriptCommand;
  readonly intervalS: number;
  readonly timeoutS?: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface VrrpTrackFile {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly file?: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile?: { readonly value: number; readonly overwrite: boolean };
}

export interface VrrpTrackProcess {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly process?: string;
  readonly parameters?: readonly string[];
  readonly paramMatch: 'full' | 'initial' | 'partial';
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly quorum: number;
  readonly quorumMax?: number;
  readonly forkDelayS?: number;
  readonly terminateDelayS?: number;
  readonly delayS?: number;
  readonly fullCommand: boolean;
}

export interface VrrpSyncGroup {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly members: readonly { readonly name: string; readonly loc: SourceLocation }[];
  readonly notify: NotifyScripts;
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly trackProcesses: readonly TrackRef[];
  /** `track_bfd` of the group (optional: configs built by hand may leave it out). */
  readonly trackBfds?: readonly TrackRef[];
  readonly globalTracking: boolean;
  readonly syncGroupTrackingWeight: boolean;
  readonly smtpAlert?: boolean;
}

export type LbAlgo =
  | 'rr'
  | 'wrr'
  | 'lc'
  | 'wlc'
  | 'lblc'
  | 'lblcr'
  | 'dh'
  | 'sh'
  | 'sed'
  | 'nq'
  | 'mh'
  | 'fo'
  | 'ovf'
  | 'twos';
export type LbKind = 'NAT' | 'DR' | 'TUN';
/** `lvs_method TUN [type {ipip|gue port N|gre} [nocsum|csum|remcsum]]`; absent: ipip. */
export interface TunnelSpec {
  readonly type: 'ipip' | 'gue' | 'gre';
  /** GUE's UDP port. */
  readonly port?: number;
  readonly csum?: 'nocsum' | 'csum' | 'remcsum';
}
export type LvsProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface CheckerCommon {
  readonly type: CheckerType;
  readonly loc: SourceLocation;
  readonly connectIp?: IpPrefix;
  readonly connectPort?: number;
  readonly bindTo?: IpPrefix;
  readonly bindPort?: number;
  readonly bindIf?: string;
  readonly connectTimeoutS?: number;
  readonly retry?: number;
  readonly delayBeforeRetryS?: number;
  readonly warmupS?: number;
  readonly delayLoopS?: number;
  readonly alpha?: boolean;
  readonly fwmark?: number;
  /** Checker-specific settings (url list, misc_path, ...), typed by `type`. */
  readonly settings: Readonly<Record<string, unknown>>;
}
export type CheckerType =
  | 'TCP_CHECK'
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'MISC_CHECK'
  | 'SMTP_CHECK'
  | 'DNS_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'FILE_CHECK'
  | 'BFD_CHECK';

export interface HttpUrl {
  readonly path?: string;
  readonly digest?: string;
  readonly statusCodes: readonly { readonly from: number; readonly to: number }[];
  readonly virtualhost?: string;
  readonly regex?: string;
  readonly loc: SourceLocation;
}

export interface RealServer {
  readonly address: IpPrefix;
  readonly port: number;
  readonly loc: SourceLocation;
  readonly weight: number;
  readonly lbKind?: LbKind;
  readonly lbKindConfigured?: boolean;
  readonly tunnel?: TunnelSpec;
  readonly inhibitOnFailure?: boolean;
  readonly notifyUp?: ScriptCommand;
  readonly notifyDown?: ScriptCommand;
  readonly uthreshold?: number;
  readonly lthreshold?: number;
  readonly delayLoopS?: number;
  readonly retry?: number;
  readonly delayBeforeRetryS?: number;
  readonly warmupS?: number;
  readonly connectTimeoutS?: number;
  readonly alpha?: boolean;
  readonly virtualhost?: string;
  readonly smtpAlert?: boolean;
  readonly checkers: readonly CheckerCommon[];
}

export interface VirtualServer extends SimpleFields<typeof VIRTUAL_SERVER_SIMPLE> {
  readonly loc: SourceLocation;
  readonly kind: 'address' | 'fwmark' | 'group';
  readonly address?: IpPrefix;
  readonly port?: number;
  readonly fwmark?: number;
  readonly group?: string;
  readonly family?: 4 | 6;
  /** keepalived 2.2.7's default, UDP, when `protocol` is absent (see protocolConfigured). */
  readonly protocol: LvsProtocol;
  /** False when no `protocol` line set it: keepalived reports that and uses UDP. */
  readonly protocolConfigured: boolean;
  readonly lbAlgo: LbAlgo;
  readonly lbKind: LbKind;
  /** False when keepalived's default (NAT) applied: it warns about that. */
  readonly lbKindConfigured: boolean;
  readonly tunnel?: TunnelSpec;
  readonly schedulerFlags: readonly string[];
  readonly persistenceTimeoutS?: number;
  readonly persistenceGranularity?: string;
  readonly persistenceEngine?: string;
  readonly delayLoopS: number;
  readonly retry?: number;
  readonly delayBeforeRetryS?: number;
  readonly warmupS?: number;
  readonly connectTimeoutS?: number;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: ScriptCommand;
  readonly quorumDown?: ScriptCommand;
  readonly sorryServer?: {
    readonly address: IpPrefix;
    readonly port: number;
    readonly lbKind?: LbKind;
    readonly tunnel?: TunnelSpec;
  };
  readonly sorryServerInhibit: boolean;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly inhibitOnFailure: boolean;
  readonly virtualhost?: string;
  readonly opsFlag: boolean;
  readonly realServers: readonly RealServer[];
  readonly other: Readonly<Record<string, readonly string[]>>;
}

export interface VirtualServerGroup {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly entries: readonly (
    | {
        readonly kind: 'range';
        readonly first: IpPrefix;
        readonly last: IpPrefix;
        readonly port: number;
        readonly loc: SourceLocation;
      }
    | { readonly kind: 'fwmark'; readonly fwmark: number; readonly loc: SourceLocation }
  )[];
}

export interface BfdInstance {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly neighborIp?: IpPrefix;
  readonly sourceIp?: IpPrefix;
  readonly minRxMs: number;
  readonly minTxMs: number;
  readonly idleTxMs: number;
  readonly multiplier: number;
  readonly passive: boolean;
  readonly ttl?: number;
  readonly weight: number;
}

export interface GlobalDefs extends SimpleFields<typeof GLOBAL_SIMPLE> {
  readonly routerId?: string;
  readonly notificationEmails: readonly string[];
  readonly notificationEmailFrom?: string;
  readonly smtpServer?: { readonly host: string; readonly port: number; readonly loc: SourceLocation };
  readonly smtpConnectTimeoutS?: number;
  readonly vrrpVersion: 2 | 3;
  readonly vrrpStrict: boolean;
  readonly vrrpGarpMasterDelayS: number;
  readonly vrrpGarpMasterRepeat: number;
  readonly vrrpGarpMasterRefreshS: number;
  readonly vrrpGarpMasterRefreshRepeat: number;
  readonly vrrpGarpLowerPrioDelayS: number;
  readonly vrrpGarpLowerPrioRepeat: number;
  readonly vrrpGarpIntervalUs: number;
  readonly vrrpGnaIntervalUs: number;
  readonly vrrpMinGarp: boolean;
  readonly vrrpLowerPrioNoAdvert: boolean;
  readonly vrrpHigherPrioSendAdvert: boolean;
  readonly vrrpSkipCheckAdvAddr: boolean;
  readonly vrrpCheckUnicastSrc: boolean;
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  readonly enableScriptSecurity: boolean;
  /** Interfaces may appear after start-up: missing ones are not configuration errors. */
  readonly dynamicInterfaces: boolean;
  /** `net_namespace NAME` (a root keyword): the daemon runs inside that namespace. */
  readonly netNamespace?: string;
  readonly scriptUser?: { readonly user: string; readonly group?: string; readonly loc: SourceLocation };
  readonly maxAutoPriority?: number;
  readonly lvsSyncDaemon?: {
    readonly interface: string;
    /** The word after the interface: an instance name, `inst`, or an option; absent when alone. */
    readonly instance?: string;
    readonly options: readonly string[];
  };
  readonly dataPlane?: 'ipvs' | 'nftables';
  readonly notifyFifo?: NotifyFifoConfig;
  readonly vrrpNotifyFifo?: NotifyFifoConfig;
  readonly lvsNotifyFifo?: NotifyFifoConfig;
  readonly other: Readonly<Record<string, readonly string[]>>;
}

/**
 * `notify_fifo PATH [USER [GROUP]]` (and vrrp_/lvs_), with its `*_notify_fifo_script`:
 * a FIFO the daemon creates is given to USER (GROUP, else USER's primary group), else
 * to the default script user.
 */
export interface NotifyFifoConfig {
  readonly path: string;
  readonly script?: ScriptCommand;
  readonly user?: string;
  readonly group?: string;
}

/** The whole configuration. */
export interface Config {
  readonly files: readonly string[];
  readonly global: GlobalDefs;
  readonly vrrpScripts: readonly VrrpScript[];
  readonly vrrpTrackFiles: readonly VrrpTrackFile[];
  readonly vrrpTrackProcesses: readonly VrrpTrackProcess[];
  readonly vrrpSyncGroups: readonly VrrpSyncGroup[];
  readonly vrrpInstances: readonly VrrpInstance[];
  readonly staticAddresses: readonly VirtualAddress[];
  readonly staticRoutes: readonly RouteSpec[];
  readonly staticRules: readonly RuleSpec[];
  readonly virtualServerGroups: readonly VirtualServerGroup[];
  readonly virtualServers: readonly VirtualServer[];
  readonly bfdInstances: readonly BfdInstance[];
}

/** Build-time view: the same shapes, writable. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

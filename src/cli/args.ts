/**
 * @module keepalived's command line, flag for flag (keepalived(8) of 2.2.7), plus
 * keepalived-ts's own `--json`. Pure: argv in, options or an error message out.
 */

export interface CliOptions {
  configFile: string;
  configTest: boolean;
  configTestLog?: string;
  json: boolean;
  dumpConf: boolean;
  vrrpOnly: boolean;
  checkOnly: boolean;
  noBfd: boolean;
  all: boolean;
  logConsole: boolean;
  logDetail: boolean;
  logFacility?: string;
  noSyslog: boolean;
  dontFork: boolean;
  pidFile?: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
  bfdPidFile?: string;
  configId?: string;
  umask?: string;
  releaseVips: boolean;
  dontReleaseVrrp: boolean;
  dontReleaseIpvs: boolean;
  dontRespawn: boolean;
  addressMonitoring: boolean;
  namespace?: string;
  allConfig: boolean;
  dataPlane?: 'ipvs' | 'nftables';
  /** keepalived-ts's real-time VRRP process when the config sets no scheduling (--no-realtime: off). */
  realtime: boolean;
  controlSocket?: string;
  signum?: string;
  version: boolean;
  help: boolean;
}

interface FlagSpec {
  readonly short?: string;
  readonly long: string;
  /** 'required' takes the next word or `=value`; 'optional' only `=value`. */
  readonly value?: 'required' | 'optional';
  readonly apply: (o: CliOptions, v: string | undefined) => void;
  readonly help: string;
}

export const FLAGS: readonly FlagSpec[] = [
  {
    short: 'f',
    long: 'use-file',
    value: 'required',
    apply: (o, v) => {
      o.configFile = v!;
    },
    help: 'Use the specified configuration file (default /etc/keepalived/keepalived.conf)',
  },
  {
    short: 'P',
    long: 'vrrp',
    apply: (o) => {
      o.vrrpOnly = true;
    },
    help: 'Only run with VRRP subsystem',
  },
  {
    short: 'C',
    long: 'check',
    apply: (o) => {
      o.checkOnly = true;
    },
    help: 'Only run with Health-checker subsystem',
  },
  {
    short: 'B',
    long: 'no_bfd',
    apply: (o) => {
      o.noBfd = true;
    },
    help: "Don't run BFD subsystem",
  },
  {
    long: 'all',
    apply: (o) => {
      o.all = true;
    },
    help: 'Force all child processes to run, even if have no configuration',
  },
  {
    short: 'l',
    long: 'log-console',
    apply: (o) => {
      o.logConsole = true;
    },
    help: 'Log messages to local console',
  },
  {
    short: 'D',
    long: 'log-detail',
    apply: (o) => {
      o.logDetail = true;
    },
    help: 'Detailed log messages',
  },
  {
    short: 'S',
    long: 'log-facility',
    value: 'required',
    apply: (o, v) => {
      o.logFacility = v!;
    },
    help: 'Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)',
  },
  {
    short: 'G',
    long: 'no-syslog',
    apply: (o) => {
      o.noSyslog = true;
    },
    help: "Don't log via syslog",
  },
  {
    short: 'u',
    long: 'umask',
    value: 'required',
    apply: (o, v) => {
      o.umask = v!;
    },
    help: 'umask for file creation (in numeric form)',
  },
  {
    short: 'X',
    long: 'release-vips',
    apply: (o) => {
      o.releaseVips = true;
    },
    help: 'Drop VIP on transition from signal.',
  },
  {
    short: 'V',
    long: 'dont-release-vrrp',
    apply: (o) => {
      o.dontReleaseVrrp = true;
    },
    help: "Don't remove VRRP VIPs and VROUTEs on daemon stop",
  },
  {
    short: 'I',
    long: 'dont-release-ipvs',
    apply: (o) => {
      o.dontReleaseIpvs = true;
    },
    help: "Don't remove IPVS topology on daemon stop",
  },
  {
    short: 'R',
    long: 'dont-respawn',
    apply: (o) => {
      o.dontRespawn = true;
    },
    help: "Don't respawn child processes",
  },
  {
    short: 'n',
    long: 'dont-fork',
    apply: (o) => {
      o.dontFork = true;
    },
    help: "Don't fork the daemon process",
  },
  {
    short: 'd',
    long: 'dump-conf',
    apply: (o) => {
      o.dumpConf = true;
    },
    help: 'Dump the configuration data (as JSON)',
  },
  {
    short: 'p',
    long: 'pid',
    value: 'required',
    apply: (o, v) => {
      o.pidFile = v!;
    },
    help: 'Use specified pidfile for parent process',
  },
  {
    short: 'r',
    long: 'vrrp_pid',
    value: 'required',
    apply: (o, v) => {
      o.vrrpPidFile = v!;
    },
    help: 'Use specified pidfile for VRRP child process',
  },
  {
    short: 'c',
    long: 'checkers_pid',
    value: 'required',
    apply: (o, v) => {
      o.checkersPidFile = v!;
    },
    help: 'Use specified pidfile for checkers child process',
  },
  {
    short: 'a',
    long: 'address-monitoring',
    apply: (o) => {
      o.addressMonitoring = true;
    },
    help: 'Report all address additions/deletions notified via netlink',
  },
  {
    short: 'b',
    long: 'bfd_pid',
    value: 'required',
    apply: (o, v) => {
      o.bfdPidFile = v!;
    },
    help: 'Use specified pidfile for BFD child process',
  },
  {
    short: 's',
    long: 'namespace',
    value: 'required',
    apply: (o, v) => {
      o.namespace = v!;
    },
    help: 'Run in network namespace NAME (overrides config)',
  },
  {
    short: 'e',
    long: 'all-config',
    apply: (o) => {
      o.allConfig = true;
    },
    help: 'Error if any configuration file missing (same as includea)',
  },
  {
    short: 'i',
    long: 'config-id',
    value: 'required',
    apply: (o, v) => {
      o.configId = v!;
    },
    help: "Skip any configuration lines beginning '@' that don't match id",
  },
  {
    long: 'signum',
    value: 'required',
    apply: (o, v) => {
      o.signum = v!;
    },
    help: 'Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON',
  },
  {
    short: 't',
    long: 'config-test',
    value: 'optional',
    apply: (o, v) => {
      o.configTest = true;
      if (v !== undefined) o.configTestLog = v;
    },
    help: 'Check the configuration for obvious errors, output to stderr by default',
  },
  {
    long: 'json',
    apply: (o) => {
      o.json = true;
    },
    help: 'With -t: print the diagnostics as JSON on stdout',
  },
  {
    long: 'data-plane',
    value: 'required',
    apply: (o, v) => {
      if (v !== 'ipvs' && v !== 'nftables')
        throw new Error(`--data-plane must be ipvs or nftables, got '${v}'`);
      o.dataPlane = v;
    },
    help: 'Force the LVS data plane: ipvs or nftables (default: IPVS when the kernel has it)',
  },
  {
    long: 'no-realtime',
    apply: (o) => {
      o.realtime = false;
    },
    help: "Keep keepalived's normal scheduling for the VRRP process when the config sets none (default: SCHED_RR 1 for its event loop thread)",
  },
  {
    long: 'control-socket',
    value: 'required',
    apply: (o, v) => {
      o.controlSocket = v!;
    },
    help: 'Control socket for `keepalived-ts status` (default: next to the -p pid file, else /run/keepalived-ts.sock)',
  },
  {
    short: 'v',
    long: 'version',
    apply: (o) => {
      o.version = true;
    },
    help: 'Display the version number',
  },
  {
    short: 'h',
    long: 'help',
    apply: (o) => {
      o.help = true;
    },
    help: 'Display this help message',
  },
];

export function defaultOptions(): CliOptions {
  return {
    configFile: '/etc/keepalived/keepalived.conf',
    configTest: false,
    json: false,
    dumpConf: false,
    vrrpOnly: false,
    checkOnly: false,
    noBfd: false,
    all: false,
    logConsole: false,
    logDetail: false,
    noSyslog: false,
    dontFork: false,
    releaseVips: false,
    dontReleaseVrrp: false,
    dontReleaseIpvs: false,
    dontRespawn: false,
    addressMonitoring: false,
    allConfig: false,
    realtime: true,
    version: false,
    help: false,
  };
}

/** Parses argv (without node and script); throws an Error with a usage message on bad input. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o = defaultOptions();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const spec = FLAGS.find((f) => f.long === name);
      if (!spec) throw new Error(`unrecognized option '${a}'`);
      let v = inline;
      if (spec.value === 'required' && v === undefined) v = argv[++i];
      if (spec.value === 'required' && v === undefined)
        throw new Error(`option '--${name}' requires an argument`);
      spec.apply(o, v);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const spec = FLAGS.find((f) => f.short === a[j]);
        if (!spec) throw new Error(`invalid option -- '${a[j]}'`);
        if (spec.value) {
          let v: string | undefined = a.slice(j + 1) || undefined;
          if (v === undefined && spec.value === 'required') v = argv[++i];
          if (v === undefined && spec.value === 'required')
            throw new Error(`option requires an argument -- '${a[j]}'`);
          spec.apply(o, v);
          break;
        }
        spec.apply(o, undefined);
      }
    } else throw new Error(`unexpected argument '${a}'`);
  }
  return o;
}

export function helpText(): string {
  const lines = FLAGS.map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.long}${f.value === 'required' ? '=VALUE' : f.value === 'optional' ? '[=LOG_FILE]' : ''}`;
    return `  ${names.padEnd(30)} ${f.help}`;
  });
  return ['Usage: keepalived-ts [OPTION...]', ...lines].join('\n');
}

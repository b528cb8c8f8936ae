/**
 * @module `keepalived-ts genhash` (also `-T`): keepalived's genhash utility, which prints
 * the MD5 digest of a URL's body for HTTP_GET / SSL_GET `digest` lines.
 * Flags as keepalived's genhash: -s server -p port -u url [-S] [-V vhost] [-t timeout].
 */

const USAGE =
  'Usage: keepalived-ts genhash -s SERVER -p PORT -u URL [-S] [-V VIRTUALHOST] [-t TIMEOUT_S]\n' +
  '  -s, --server      IP address of the server\n' +
  '  -p, --port        TCP port\n' +
  '  -u, --url         path to fetch, e.g. /index.html\n' +
  '  -S, --use-ssl     use TLS (SSL_GET)\n' +
  '  -V, --use-virtualhost  Host header (and TLS SNI)\n' +
  '  -t, --timeout     seconds (default 5)\n';

interface GenhashArgs {
  server?: string;
  port?: number;
  url?: string;
  tls: boolean;
  virtualhost?: string;
  timeoutS: number;
}

function parse(argv: readonly string[]): GenhashArgs {
  const out: GenhashArgs = { tls: false, timeoutS: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`option '${a}' requires an argument`);
      return v;
    };
    if (a === '-s' || a === '--server') out.server = value();
    else if (a === '-p' || a === '--port') out.port = Number(value());
    else if (a === '-u' || a === '--url') out.url = value();
    else if (a === '-S' || a === '--use-ssl') out.tls = true;
    else if (a === '-V' || a === '--use-virtualhost') out.virtualhost = value();
    else if (a === '-t' || a === '--timeout') out.timeoutS = Number(value());
    else throw new Error(`unrecognized option '${a}'`);
  }
  return out;
}

export function genhashMain(argv: readonly string[]): number {
  let args: GenhashArgs;
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`keepalived-ts genhash: ${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  if (!args.server || !args.url || !args.port || !Number.isInteger(args.port)) {
    process.stderr.write(USAGE);
    return 1;
  }
  const spec = {
    address: args.server,
    port: args.port,
    path: args.url,
    tls: args.tls,
    timeoutMs: args.timeoutS * 1000,
    ...(args.virtualhost ? { virtualhost: args.virtualhost, sni: true } : {}),
  };
  // Loaded here so other commands do not pay for the HTTP/TLS client.
  void import('../check/genhash.js')
    .then(({ genhash }) => genhash(spec))
    .then((r) => {
      if (!r.ok) {
        process.stderr.write(`keepalived-ts genhash: ${r.error}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`HTTP status: ${r.status}\nMD5SUM = ${r.digest}\n`);
    });
  return 0;
}

/** VRRPv3 IPv4 and IPv6 and unicast interop with keepalived 2.2.7, both roles (see interop-suite.ts). */
import { interopSuite } from './interop-suite.js';

interopSuite(['v3-ipv4', 'v3-ipv6', 'unicast']);

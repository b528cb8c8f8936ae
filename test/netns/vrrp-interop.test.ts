/** VRRPv2 PASS and AH interop with keepalived 2.2.7, both roles (see interop-suite.ts). */
import { interopSuite } from './interop-suite.js';

interopSuite(['v2-pass', 'v2-ah']);

/**
 * @module BFD constants (RFC 5880 section 4.1, RFC 5881 section 4 and 5).
 */

/** UDP destination port of single-hop BFD Control packets (RFC 5881 section 4). */
export const BFD_CONTROL_PORT = 3784;
/** Source ports must come from this range (RFC 5881 section 4). */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
/** Outgoing TTL / hop limit of single-hop BFD (RFC 5881 section 5, GTSM). */
export const BFD_TTL = 255;
/** The only protocol version. */
export const BFD_VERSION = 1;
/** Length of a Control packet without the authentication section. */
export const BFD_HEADER_LENGTH = 24;
/** RFC 5880 section 6.8.3: while not Up, DesiredMinTxInterval must be at least 1 s. */
export const BFD_SLOW_TX_US = 1_000_000;

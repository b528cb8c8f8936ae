/**
 * @module IPVS request builders: one function per command keepalived uses, each taking the
 * resolved family id (CTRL_CMD_GETFAMILY "IPVS"), the values and a sequence number. Like
 * libipvs they ask for an ACK (NLM_F_REQUEST | NLM_F_ACK); GET_* dumps use NLM_F_DUMP.
 */

import { NLM_F } from './constants.js';
import { IPVS_CMD } from './genl-constants.js';
import {
  encodeIpvs,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsMessage,
  type IpvsService,
  type IpvsTimeouts,
} from './ipvs.js';

const ACK = NLM_F.REQUEST | NLM_F.ACK;
const DUMP = NLM_F.REQUEST | NLM_F.DUMP;
const req = (family: number, m: IpvsMessage, flags: number, seq: number) =>
  encodeIpvs(family, m, { flags, seq });

/** IPVS_CMD_NEW_SERVICE / SET_SERVICE / DEL_SERVICE. A full service has sched, flags, timeout, netmask. */
export const newServiceRequest = (f: number, service: IpvsService, seq: number) =>
  req(f, { cmd: IPVS_CMD.NEW_SERVICE, service }, ACK, seq);
export const setServiceRequest = (f: number, service: IpvsService, seq: number) =>
  req(f, { cmd: IPVS_CMD.SET_SERVICE, service }, ACK, seq);
export const delServiceRequest = (f: number, service: IpvsService, seq: number) =>
  req(f, { cmd: IPVS_CMD.DEL_SERVICE, service }, ACK, seq);
/** IPVS_CMD_GET_SERVICE dump of every service, or one service. */
export const getServicesRequest = (f: number, seq: number) =>
  req(f, { cmd: IPVS_CMD.GET_SERVICE }, DUMP, seq);
export const getServiceRequest = (f: number, service: IpvsService, seq: number) =>
  req(f, { cmd: IPVS_CMD.GET_SERVICE, service }, ACK, seq);
/** IPVS_CMD_NEW_DEST / SET_DEST / DEL_DEST: the service identifies where. */
export const newDestRequest = (f: number, service: IpvsService, dest: IpvsDest, seq: number) =>
  req(f, { cmd: IPVS_CMD.NEW_DEST, service, dest }, ACK, seq);
export const setDestRequest = (f: number, service: IpvsService, dest: IpvsDest, seq: number) =>
  req(f, { cmd: IPVS_CMD.SET_DEST, service, dest }, ACK, seq);
export const delDestRequest = (f: number, service: IpvsService, dest: IpvsDest, seq: number) =>
  req(f, { cmd: IPVS_CMD.DEL_DEST, service, dest }, ACK, seq);
/** IPVS_CMD_GET_DEST dump of a service's destinations. */
export const getDestsRequest = (f: number, service: IpvsService, seq: number) =>
  req(f, { cmd: IPVS_CMD.GET_DEST, service }, DUMP, seq);
/** IPVS_CMD_NEW_DAEMON / DEL_DAEMON / GET_DAEMON (dump). */
export const newDaemonRequest = (f: number, daemon: IpvsDaemon, seq: number) =>
  req(f, { cmd: IPVS_CMD.NEW_DAEMON, daemon }, ACK, seq);
export const delDaemonRequest = (f: number, daemon: IpvsDaemon, seq: number) =>
  req(f, { cmd: IPVS_CMD.DEL_DAEMON, daemon }, ACK, seq);
export const getDaemonsRequest = (f: number, seq: number) => req(f, { cmd: IPVS_CMD.GET_DAEMON }, DUMP, seq);
/** IPVS_CMD_SET_CONFIG / GET_CONFIG: connection timeouts. */
export const setConfigRequest = (f: number, timeouts: IpvsTimeouts, seq: number) =>
  req(f, { cmd: IPVS_CMD.SET_CONFIG, timeouts }, ACK, seq);
export const getConfigRequest = (f: number, seq: number) => req(f, { cmd: IPVS_CMD.GET_CONFIG }, ACK, seq);
/** IPVS_CMD_GET_INFO: version and connection table size. */
export const getInfoRequest = (f: number, seq: number) => req(f, { cmd: IPVS_CMD.GET_INFO }, ACK, seq);
/** IPVS_CMD_ZERO: counters of one service, or of all without one. */
export const zeroRequest = (f: number, service: IpvsService | undefined, seq: number) =>
  req(f, service === undefined ? { cmd: IPVS_CMD.ZERO } : { cmd: IPVS_CMD.ZERO, service }, ACK, seq);
/** IPVS_CMD_FLUSH: every service and destination. */
export const flushRequest = (f: number, seq: number) => req(f, { cmd: IPVS_CMD.FLUSH }, ACK, seq);

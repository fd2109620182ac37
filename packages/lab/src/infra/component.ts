import type { LabConfig } from '../config.js';
import type { DaemonRecord } from './daemon.js';

/** One piece of native infrastructure the lab starts, probes and stops. */
export interface Component {
  readonly name: string;
  /** The log to read when it misbehaves. */
  logFile(cfg: LabConfig): string;
  /** Create data folders and write generated config (idempotent; never deletes data). */
  prepare(cfg: LabConfig): Promise<void>;
  /** Start it; the record lists every process to stop later. */
  start(cfg: LabConfig): Promise<DaemonRecord>;
  /** Called once it is ready: may add processes that only exist by then (e.g. a forked VM). */
  afterReady?(cfg: LabConfig, record: DaemonRecord): Promise<DaemonRecord>;
  /** Whether it answers like a ready instance. Must not throw. */
  probe(cfg: LabConfig): Promise<boolean>;
  /** Folders removed by `down --purge`. */
  dataDirs(cfg: LabConfig): string[];
  /** The URL or address users reach it at. */
  endpoint(cfg: LabConfig): string;
  /** The likely fix when it does not become ready. */
  readonly hint: string;
}

/** GET a URL and say whether it answered 2xx within `timeoutMs`. */
export async function httpOk(url: string, init: RequestInit = {}, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

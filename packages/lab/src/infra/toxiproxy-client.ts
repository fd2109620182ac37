import { type ICreateToxicBody, type ToxicType, Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { LabConfig } from '../config.js';
import { toxiproxyUrl } from './components/toxiproxy.js';

/**
 * The one door to Toxiproxy's API for the product code (the chaos runner, the proxies the lab
 * applies, `status`), through the well-kept `toxiproxy-node-client`.
 */
export const toxiproxy = (cfg: LabConfig) => new Toxiproxy(toxiproxyUrl(cfg));

export interface ProxySpec {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** What an edge carries now: enabled or not, and its toxics by name. */
export interface EdgeState {
  name: string;
  enabled: boolean;
  toxics: { name: string; type: string; attributes: Record<string, number> }[];
}

interface ProxyAnswer {
  name: string;
  enabled: boolean;
  toxics?: { name: string; type: string; attributes?: Record<string, number> }[];
}

const stateOf = (proxy: ProxyAnswer): EdgeState => ({
  name: proxy.name,
  enabled: proxy.enabled,
  toxics: (proxy.toxics ?? []).map((t) => ({ name: t.name, type: t.type, attributes: t.attributes ?? {} })),
});

// toxiproxy-node-client 4.1 cannot list a proxy's toxics (its Proxy keeps name, listen, upstream and
// enabled only), so the two reads below go through the client's own HTTP layer to the same API.
const read = async <T>(cfg: LabConfig, path: string): Promise<T> => {
  const client = toxiproxy(cfg);
  return (await client.getApi().get(`${client.host}${path}`)).data as T;
};

/** Create or update every proxy (idempotent). */
export async function populateProxies(cfg: LabConfig, proxies: ProxySpec[]): Promise<void> {
  await toxiproxy(cfg).populate(proxies);
}

/** Every proxy's state (an empty list when Toxiproxy does not answer). */
export async function edgeStates(cfg: LabConfig): Promise<EdgeState[]> {
  try {
    return Object.values(await read<Record<string, ProxyAnswer>>(cfg, '/proxies')).map(stateOf);
  } catch {
    return [];
  }
}

/** One proxy's state. */
export async function edgeState(cfg: LabConfig, edge: string): Promise<EdgeState> {
  return stateOf(await read<ProxyAnswer>(cfg, `/proxies/${encodeURIComponent(edge)}`));
}

/** Take an edge down (connections refused and cut) or bring it back. */
export async function setEdgeEnabled(cfg: LabConfig, edge: string, enabled: boolean): Promise<void> {
  const proxy = await toxiproxy(cfg).get(edge);
  await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled });
}

export interface ToxicSpec {
  name: string;
  type: Exclude<ToxicType, 'down'>;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** Add a toxic to an edge. */
export async function addToxic(cfg: LabConfig, edge: string, toxic: ToxicSpec): Promise<void> {
  const proxy = await toxiproxy(cfg).get(edge);
  await proxy.addToxic({ ...toxic } as unknown as ICreateToxicBody<unknown>);
}

/** Remove a toxic from an edge; a toxic (or proxy) that is already gone is fine. */
export async function removeToxic(cfg: LabConfig, edge: string, name: string): Promise<boolean> {
  try {
    const proxy = await toxiproxy(cfg).get(edge);
    await (await proxy.getToxic(name)).remove();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** The client reports a 404 only in its message ("Request failed with status code 404"). */
const isNotFound = (error: unknown) => /status code 404\b|not found/i.test(error instanceof Error ? error.message : String(error));

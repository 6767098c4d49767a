/** Reads a ledger through its public read API. Responses are untrusted and parsed defensively. */
import { z } from 'zod';
import { decodeBase64, decodeUtf8 } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import type { LogSource, SourceEntry } from './log-source.js';
import type { ReadSigner } from '../client/read-signer.js';

const LogInfo = z.object({ size: z.number().int().min(0) });
const EntriesPage = z.object({
  entries: z.array(z.object({ index: z.number().int().min(0), data: z.string().nullable() })),
  next: z.number().int().min(0).optional(),
});
const ConsistencyResponse = z.object({ hashes: z.array(z.string()) });

/**
 * `signRead` signs requests for entry content (an auditor's key: a regulator's, to see it all);
 * without it, reading entries fails with the service's AUTH_REQUIRED.
 */
/** The starter bundle is about 0.7 MB; a licensed knowledge base may be tens of MB. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export function createHttpLogSource(baseUrl: string, options: { signRead?: ReadSigner; fetch?: typeof fetch } = {}): LogSource {
  const base = baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;

  async function get(path: string): Promise<Response> {
    let res: Response;
    try {
      // The full URL is signed, so a service mounted under a path prefix verifies too.
      res = await fetchImpl(`${base}${path}`, { headers: options.signRead?.('GET', `${base}${path}`) ?? {} });
    } catch (cause) {
      throw new RxError('SOURCE_UNAVAILABLE', `cannot reach ${base}`, { cause });
    }
    if (!res.ok) {
      const code = ((await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined)?.error?.code;
      throw new RxError('SOURCE_UNAVAILABLE', `GET ${path.split('?')[0]} answered ${res.status}${code ? ` ${code}` : ''}`);
    }
    return res;
  }

  async function getJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const parsed = schema.safeParse(await (await get(path)).json().catch(() => undefined));
    if (!parsed.success) throw new RxError('SOURCE_UNAVAILABLE', `GET ${path} returned an unexpected shape`);
    return parsed.data;
  }

  return {
    description: base,
    // Decoded strictly: a note that is not valid UTF-8 is malformed, not silently repaired.
    checkpoint: async () => decodeUtf8(new Uint8Array(await (await get('/checkpoint')).arrayBuffer())),
    size: async () => (await getJson('/v1/log', LogInfo)).size,
    async *entries(start, end): AsyncIterable<SourceEntry> {
      let next = start;
      while (next < end) {
        const page = await getJson(`/v1/log/entries?start=${next}&end=${end}`, EntriesPage);
        if (page.entries.length === 0) return;
        for (const e of page.entries) {
          if (e.data === null) throw new RxError('SOURCE_UNAVAILABLE', `entry ${e.index} is withheld from this reader: audit with a regulator's key`);
          yield { index: e.index, data: decodeBase64(e.data) };
        }
        const last = (page.entries[page.entries.length - 1] as { index: number }).index;
        if (last + 1 <= next) return; // a source that does not advance cannot be followed
        next = last + 1;
      }
    },
    async ruleSetBundle(hash) {
      const res = await get(`/v1/rulesets/${encodeURIComponent(hash)}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      // A source may be hostile: a bundle past any plausible size is not one.
      return bytes.length > MAX_BUNDLE_BYTES ? undefined : bytes;
    },
    async consistencyProof(from, to) {
      const res = await getJson(`/v1/log/proof/consistency?from=${from}&to=${to}`, ConsistencyResponse);
      return res.hashes.map((h) => decodeBase64(h));
    },
  };
}

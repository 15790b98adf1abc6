/** The chain's steps up to classification; entity extraction and matching run on beside them. */
const CHAIN_STEPS = new Set([
  'DocumentUploaded',
  'DocumentReprocessRequested',
  'DocumentValidated',
  'TextExtracted',
  'DocumentClassified',
]);

/** The events of a document's history that are steps of the chain, in order. */
export const chainStepsOf = <E extends { type: string }>(events: E[]) =>
  events.filter((e) => CHAIN_STEPS.has(e.type));

/** Just enough of the HTTP API for tests: upload, read, and wait for a state. */
export function apiClient(baseUrl: string, tenantId: string, key: string) {
  const auth = { authorization: `Bearer ${key}` };
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { headers: auth });
    return { status: response.status, body: await response.json() };
  };
  const post = async (path: string, body: object) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, ...body }),
    });
    return { status: response.status, body: await response.json() };
  };
  return {
    get,
    post,
    async upload(bytes: Buffer, fileName: string, fields: Record<string, string> = {}) {
      const form = new FormData();
      form.append('tenantId', tenantId);
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
      const response = await fetch(`${baseUrl}/documents`, {
        method: 'POST',
        headers: auth,
        body: form,
      });
      const body = await response.json();
      if (response.status !== 202)
        throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
      return body as { documentId: string; position: { token: string } };
    },
    document: (id: string) => get(`/documents/${id}?tenantId=${tenantId}`),
    history: (id: string) => get(`/documents/${id}/history?tenantId=${tenantId}`),
    text: (id: string) => get(`/documents/${id}/text?tenantId=${tenantId}`),
    search: (q: string) => get(`/search?tenantId=${tenantId}&q=${encodeURIComponent(q)}`),
    async reprocess(id: string, reason?: string) {
      const response = await fetch(`${baseUrl}/documents/${id}/reprocess`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId, ...(reason ? { reason } : {}) }),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}

/** Small HTTP helpers for tests: JSON bodies typed loosely, so assertions can reach into them. */
// Test-only: response bodies are asserted field by field, so a loose type is the honest one.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(r: Response | Promise<Response>): Promise<Json> {
  return (await r).json();
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

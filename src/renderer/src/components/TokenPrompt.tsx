import { useState } from 'react';
import { hub } from '../connection/index.js';
import { useConnectionStore } from '../stores/connection-store.js';

/** Shown when the hub (bound beyond loopback) refuses us: paste the token the hub printed at start. */
export function TokenPrompt() {
  const authRequired = useConnectionStore((s) => s.authRequired);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  if (!authRequired) return null;
  const submit = async () => {
    if (!token.trim()) return;
    setBusy(true);
    await hub.useToken(token.trim());
    setBusy(false);
    setToken('');
  };
  return (
    <div className="modal-back" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        className="modal"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="token-title">This hub needs a token</h2>
        <p className="muted">
          The hub is reachable from the network, so it asks for the access token it printed when it started (the link with <code>?token=</code>
          opens the dashboard with it).
        </p>
        <div className="field">
          <label htmlFor="token-input">Access token</label>
          <input id="token-input" className="input mono" type="password" autoFocus autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} data-testid="token-input" />
        </div>
        <div className="row">
          <span className="grow" />
          <button className="btn primary" type="submit" disabled={busy || !token.trim()}>
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        </div>
      </form>
    </div>
  );
}

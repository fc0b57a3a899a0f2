import { hotkeyLabel } from '../lib/hotkeys.js';
import { navHotkeySummary } from '../nav.js';

export const SHORTCUTS: { combo: string; what: string }[] = [
  { combo: 'mod+k', what: 'Search agents' },
  { combo: 'mod+j', what: 'Focus chat' },
  { combo: 'mod+s', what: 'Deploy the code in the editor' },
  { combo: 'alt+1', what: `Views: ${navHotkeySummary((c) => hotkeyLabel(c))}` },
  { combo: 'escape', what: 'Close this help / the mention list' },
  { combo: '?', what: 'Show this help' },
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal-back" role="dialog" aria-modal="true" aria-labelledby="keys-title" onClick={onClose}>
      <div className="modal" onClick={(e) => e.stopPropagation()}>
        <h2 id="keys-title">Keyboard shortcuts</h2>
        <dl className="kv">
          {SHORTCUTS.map((s) => (
            <div key={s.combo} style={{ display: 'contents' }}>
              <dt>
                <kbd>{hotkeyLabel(s.combo)}</kbd>
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <div className="row" style={{ marginTop: 14 }}>
          <span className="grow" />
          <button className="btn" type="button" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { desktopBridge, desktopInfoSchema, desktopNotificationsSchema, type DesktopInfo } from '../../connection/desktop.js';

/** The Electron app's own settings; rendered only in the desktop window. */
export function DesktopCard() {
  const bridge = desktopBridge();
  const [info, setInfo] = useState<DesktopInfo | null>(null);
  const [login, setLogin] = useState<boolean | null>(null);
  const [notify, setNotify] = useState<{ alerts: boolean; jobs: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!bridge) return;
    void (async () => {
      try {
        const i = desktopInfoSchema.safeParse(await bridge.getInfo());
        if (i.success) setInfo(i.data);
        const l = await bridge.getLoginItem();
        if (typeof l === 'boolean') setLogin(l);
        const s = desktopNotificationsSchema.safeParse(await bridge.getSettings());
        if (s.success) setNotify({ alerts: s.data.notifications.alerts, jobs: s.data.notifications.jobs });
      } catch (e) {
        setError((e as Error).message);
      }
    })();
    // Once: the bridge object is stable for the page's life.
  }, []);

  if (!bridge) return null;
  const toggleLogin = async (on: boolean) => {
    try {
      const r = await bridge.setLoginItem(on);
      setLogin(typeof r === 'boolean' ? r : on);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggleNotify = async (key: 'alerts' | 'jobs', on: boolean) => {
    try {
      const s = desktopNotificationsSchema.safeParse(await bridge.updateSettings({ notifications: { [key]: on } }));
      if (s.success) setNotify({ alerts: s.data.notifications.alerts, jobs: s.data.notifications.jobs });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="card" data-testid="desktop-card">
      <h2>Desktop app</h2>
      {login !== null ? (
        <label className="check" style={{ marginBottom: 8 }}>
          <input type="checkbox" checked={login} onChange={(e) => void toggleLogin(e.target.checked)} /> Start Wactorz when I log in
        </label>
      ) : null}
      {notify ? (
        <>
          <label className="check" style={{ marginBottom: 8, display: 'flex' }}>
            <input type="checkbox" checked={notify.alerts} onChange={(e) => void toggleNotify('alerts', e.target.checked)} /> Notify me of agent alerts
          </label>
          <label className="check" style={{ marginBottom: 8, display: 'flex' }}>
            <input type="checkbox" checked={notify.jobs} onChange={(e) => void toggleNotify('jobs', e.target.checked)} /> Notify me when long jobs finish (installs, pipelines)
          </label>
        </>
      ) : null}
      {info ? (
        <p className="small muted" style={{ margin: 0 }}>
          Wactorz {info.appVersion} · Electron {info.electronVersion} · secrets {info.secretStorage === 'keychain' ? 'in the OS keychain' : 'kept for this session only (no keychain)'}
        </p>
      ) : null}
      {error ? <div className="error-box small">{error}</div> : null}
    </div>
  );
}

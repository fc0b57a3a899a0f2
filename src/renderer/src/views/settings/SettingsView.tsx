import { useCallback, useEffect, useState } from 'react';
import { hub } from '../../connection/index.js';
import { apiKeySecret, secretBridge, secretStatus } from '../../connection/desktop-secrets.js';
import { formatDuration } from '../../lib/relative-time.js';
import { draftFrom, LLM_PROVIDER_CHOICES, patchFromDraft, settingsFromApi, withProvider, type SettingsDraft } from '../../lib/settings-model.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useSettingsStore } from '../../stores/settings-store.js';
import { DesktopCard } from './DesktopCard.js';

const PROVIDER_LABEL: Record<string, string> = {
  anthropic: 'Anthropic (Claude)',
  openai: 'OpenAI',
  ollama: 'Ollama (local models)',
  nim: 'NVIDIA NIM',
  gemini: 'Google Gemini',
  none: 'None (no LLM)',
};

function SecretInput({ id, label, isSet, value, onChange, clear, onClear, testId }: { id: string; label: string; isSet: boolean; value: string; onChange: (v: string) => void; clear?: boolean; onClear?: (v: boolean) => void; testId: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input mono"
        type="password"
        autoComplete="new-password"
        value={value}
        placeholder={isSet ? '•••••••• stored — type to replace' : 'not set'}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      <span className="help">
        Write-only: the value is never shown again.
        {isSet && onClear ? (
          <label className="check" style={{ marginLeft: 10 }}>
            <input type="checkbox" checked={clear === true} onChange={(e) => onClear(e.target.checked)} /> remove it
          </label>
        ) : null}
      </span>
    </div>
  );
}

function ConnectionCard() {
  const s = useConnectionStore();
  const h = s.health;
  return (
    <div className="card">
      <h2>Connection</h2>
      <dl className="kv">
        <dt>Hub</dt>
        <dd className="mono small">{s.baseUrl ?? '…'}</dd>
        <dt>Live updates</dt>
        <dd>{s.mqtt}</dd>
        <dt>REST API</dt>
        <dd>{s.rest}</dd>
        <dt>Access token</dt>
        <dd>
          {hub.token ? 'in use' : 'none'}{' '}
          {hub.token ? (
            <button type="button" className="link-button" onClick={() => void hub.useToken(null)}>
              forget it
            </button>
          ) : null}
        </dd>
        {h ? (
          <>
            <dt>Uptime</dt>
            <dd>{formatDuration(h.uptime)}</dd>
            <dt>Actors</dt>
            <dd>{h.actors}</dd>
            <dt>Broker</dt>
            <dd>
              {h.mqtt.mode} · port {h.mqtt.port} · {h.mqtt.state}
            </dd>
            <dt>Fast storage</dt>
            <dd>{h.persistence.ephemeral}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

export function SettingsView() {
  const { settings, loadError, save, models: modelList, modelsError, modelsLoading } = useSettingsStore();
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof SettingsDraft, string>>>({});
  const [keychain, setKeychain] = useState<Map<string, boolean> | null>(null);
  const desktop = secretBridge() !== null;

  const load = useCallback(async () => {
    const st = useSettingsStore.getState();
    st.setLoading(true);
    try {
      const model = settingsFromApi(await hub.rest.getSettings());
      st.setSettings(model);
      setDraft(draftFrom(model));
    } catch (e) {
      st.setSettings(null, (e as Error).message);
    }
    setKeychain(await secretStatus().catch(() => null));
  }, []);

  const loadModels = useCallback(async () => {
    const st = useSettingsStore.getState();
    st.setModelsLoading(true);
    try {
      st.setModels(await hub.rest.llmModels());
    } catch (e) {
      st.setModels(null, (e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // The hub lists the models of its configured provider: after loading, and after each save.
  useEffect(() => {
    if (settings) void loadModels();
  }, [settings, loadModels]);

  if (loadError && !settings) {
    return (
      <div className="grid-2">
        <div className="card">
          <h2>Settings</h2>
          <div className="error-box">Cannot load the hub’s settings: {loadError}</div>
          <button type="button" className="btn" style={{ marginTop: 10 }} onClick={() => void load()}>
            Try again
          </button>
        </div>
        <ConnectionCard />
      </div>
    );
  }
  if (!settings || !draft) return <div className="empty">Loading settings…</div>;

  const set = <K extends keyof SettingsDraft>(k: K, v: SettingsDraft[K]) => setDraft({ ...draft, [k]: v });
  // Models listed by the hub belong to its current provider; a provider not saved yet has none listed.
  const providerSaved = draft.provider === settings.llm.provider;
  const models = providerSaved && (!modelList?.provider || modelList.provider === draft.provider) ? (modelList?.models ?? []) : [];
  const keyName = apiKeySecret(draft.provider);
  const apiKeySet = keychain && keyName ? (keychain.get(keyName) ?? false) : settings.llm.apiKeySet;
  const haTokenSet = keychain ? (keychain.get('home_assistant_token') ?? false) : settings.homeAssistant.tokenSet;
  const mqttPasswordSet = keychain ? (keychain.get('mqtt_password') ?? false) : settings.mqtt.passwordSet;

  const submit = async () => {
    const r = patchFromDraft(settings, draft);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    const st = useSettingsStore.getState();
    st.setSave({ phase: 'saving' });
    try {
      const patch = r.patch;
      const bridge = secretBridge();
      if (bridge) {
        // Desktop: secrets to the OS keychain, never over REST.
        if (patch.llm?.apiKey !== undefined && keyName) {
          if (patch.llm.apiKey === null) await bridge.deleteSecret(keyName);
          else await bridge.setSecret(keyName, patch.llm.apiKey);
          delete patch.llm.apiKey;
        }
        if (patch.homeAssistant?.token !== undefined) {
          if (patch.homeAssistant.token === null) await bridge.deleteSecret('home_assistant_token');
          else await bridge.setSecret('home_assistant_token', patch.homeAssistant.token);
          delete patch.homeAssistant.token;
        }
        if (patch.mqtt?.password !== undefined) {
          await bridge.setSecret('mqtt_password', patch.mqtt.password);
          delete patch.mqtt.password;
        }
      }
      const empty = Object.values(patch).every((section) => !section || Object.keys(section).length === 0);
      let restart = false;
      if (!empty) {
        const res = (await hub.rest.putSettings(patch)) as { restart_required?: boolean; restartRequired?: boolean } | undefined;
        restart = res?.restart_required === true || res?.restartRequired === true;
        const model = settingsFromApi(res && typeof res === 'object' && ('llm' in res || 'settings' in res) ? res : await hub.rest.getSettings());
        st.setSettings(model);
        setDraft(draftFrom(model));
      } else if (!r.empty) {
        setDraft({ ...draft, apiKey: '', haToken: '', password: '', clearApiKey: false, clearHaToken: false });
      }
      setKeychain(await secretStatus().catch(() => null));
      st.setSave({ phase: 'saved', message: r.empty ? 'Nothing changed.' : restart ? 'Saved. Some changes apply at the hub’s next start.' : 'Saved and applied.' });
      void hub.refresh();
    } catch (e) {
      st.setSave({ phase: 'error', message: (e as Error).message });
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="settings-form"
    >
      <div className="grid-2">
        <div className="card">
          <h2>Language model</h2>
          <div className="field">
            <label htmlFor="set-provider">Provider</label>
            <select id="set-provider" className="select" value={draft.provider} onChange={(e) => setDraft(withProvider(settings, draft, e.target.value))} data-testid="settings-provider">
              {LLM_PROVIDER_CHOICES.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABEL[p] ?? p}
                </option>
              ))}
              {!(LLM_PROVIDER_CHOICES as readonly string[]).includes(draft.provider) ? <option value={draft.provider}>{draft.provider}</option> : null}
            </select>
            {settings.llm.summary ? <span className="help" data-testid="settings-llm-summary">Now: {settings.llm.summary}</span> : null}
          </div>
          {draft.provider !== 'none' ? (
            <>
              <div className="field">
                <label htmlFor="set-model">Model</label>
                {draft.provider === 'ollama' && models.length > 0 ? (
                  <select id="set-model" className="select" value={draft.model} onChange={(e) => set('model', e.target.value)} data-testid="settings-model">
                    {!models.some((m) => m.name === draft.model) ? <option value={draft.model}>{draft.model || '(default)'}</option> : null}
                    {models.map((m) => (
                      <option key={m.name} value={m.name}>
                        {m.name}
                        {m.detail ? ` · ${m.detail}` : ''}
                      </option>
                    ))}
                  </select>
                ) : (
                  <>
                    <input id="set-model" className="input mono" list="model-choices" value={draft.model} onChange={(e) => set('model', e.target.value)} placeholder="the provider’s default" data-testid="settings-model" />
                    <datalist id="model-choices">
                      {models.map((m) => (
                        <option key={m.name} value={m.name} />
                      ))}
                    </datalist>
                  </>
                )}
                <span className="help" data-testid="settings-model-help">
                  {draft.provider === 'ollama'
                    ? !providerSaved
                      ? 'Save to switch to Ollama; its installed models are listed then.'
                      : modelsLoading
                        ? 'Asking Ollama for its models…'
                        : modelsError
                          ? `Cannot list Ollama’s models: ${modelsError}`
                          : models.length === 0
                            ? 'Ollama has no models installed (ollama pull <model>).'
                            : `${models.length} installed model${models.length > 1 ? 's' : ''}.${modelList?.note ? ` ${modelList.note}.` : ''}`
                    : 'Leave empty for the provider’s default.'}{' '}
                  {providerSaved ? (
                    <button type="button" className="link-button" onClick={() => void loadModels()}>
                      refresh
                    </button>
                  ) : null}
                </span>
              </div>
              <div className="field">
                <label htmlFor="set-base">Endpoint (base URL)</label>
                <input id="set-base" className={`input mono ${errors.baseUrl ? 'invalid' : ''}`} value={draft.baseUrl} onChange={(e) => set('baseUrl', e.target.value)} placeholder={draft.provider === 'ollama' ? 'http://127.0.0.1:11434' : 'the provider’s default'} />
                {errors.baseUrl ? <span className="error">{errors.baseUrl}</span> : null}
              </div>
              {draft.provider !== 'ollama' ? (
                <SecretInput id="set-key" label={`API key${desktop ? ' (kept in the OS keychain)' : ''}`} isSet={apiKeySet} value={draft.apiKey} onChange={(v) => set('apiKey', v)} clear={draft.clearApiKey} onClear={(v) => set('clearApiKey', v)} testId="settings-api-key" />
              ) : null}
            </>
          ) : (
            <p className="muted small">Without an LLM, chat answers commands only and main cannot write agents.</p>
          )}
        </div>

        <div className="card">
          <h2>Home Assistant</h2>
          <div className="field">
            <label htmlFor="set-ha-url">URL</label>
            <input id="set-ha-url" className={`input mono ${errors.haUrl ? 'invalid' : ''}`} value={draft.haUrl} onChange={(e) => set('haUrl', e.target.value)} placeholder="http://homeassistant.local:8123" data-testid="settings-ha-url" />
            {errors.haUrl ? <span className="error">{errors.haUrl}</span> : null}
          </div>
          <SecretInput id="set-ha-token" label="Long-lived access token" isSet={haTokenSet} value={draft.haToken} onChange={(v) => set('haToken', v)} clear={draft.clearHaToken} onClear={(v) => set('clearHaToken', v)} testId="settings-ha-token" />
          {settings.homeAssistant.configured !== undefined ? (
            <span className="small muted">
              {settings.homeAssistant.configured ? 'Configured: the hub uses it.' : `Not in use${settings.homeAssistant.reason ? `: ${settings.homeAssistant.reason}` : '.'}`}
            </span>
          ) : null}
        </div>

        <div className="card">
          <h2>MQTT broker</h2>
          {settings.mqtt.mode ? <p className="small muted" style={{ marginTop: 0 }}>Now: the {settings.mqtt.mode} broker. Broker changes apply at the hub’s next start.</p> : null}
          <div className="field">
            <label htmlFor="set-broker">External broker host</label>
            <input id="set-broker" className="input mono" value={draft.broker} onChange={(e) => set('broker', e.target.value)} placeholder="empty: the hub’s embedded broker" data-testid="settings-broker" />
          </div>
          <div className="field">
            <label htmlFor="set-port">Port</label>
            <input id="set-port" className={`input mono ${errors.port ? 'invalid' : ''}`} inputMode="numeric" value={draft.port} onChange={(e) => set('port', e.target.value)} placeholder="1883" />
            {errors.port ? <span className="error">{errors.port}</span> : null}
          </div>
          <div className="field">
            <label htmlFor="set-user">Username</label>
            <input id="set-user" className="input mono" autoComplete="off" value={draft.username} onChange={(e) => set('username', e.target.value)} />
          </div>
          <SecretInput id="set-pass" label="Password" isSet={mqttPasswordSet} value={draft.password} onChange={(v) => set('password', v)} testId="settings-mqtt-password" />
        </div>

        <ConnectionCard />
        <DesktopCard />
      </div>
      {settings.restartRequired ? (
        <div className="ok-box small" style={{ marginTop: 14 }} data-testid="settings-restart">
          Saved changes wait for the hub’s next start (the MQTT broker).
        </div>
      ) : null}
      <div className="row" style={{ marginTop: 14 }}>
        <button type="submit" className="btn primary" disabled={save.phase === 'saving'} data-testid="settings-save">
          {save.phase === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" className="btn" onClick={() => setDraft(draftFrom(settings))}>
          Undo changes
        </button>
        {save.phase === 'saved' ? (
          <span className="ok-box small" data-testid="settings-result">
            {save.message}
          </span>
        ) : save.phase === 'error' ? (
          <span className="error-box small" data-testid="settings-result">
            {save.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}

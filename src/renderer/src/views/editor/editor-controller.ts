/**
 * What the editor view does: open an agent's code into a Monaco model, track edits, deploy
 * (pre-checking syntax in the language service, then PUT/POST to the hub, turning a 400's
 * line/column into markers), load an old version for the diff, roll back, start a new agent from
 * a template. Models live here, one per agent, so unsaved edits survive switching agents.
 */
import type { CodeDiagnostic } from '../../../../shared/rest.js';
import { ApiError, hub } from '../../connection/index.js';
import { diagnosticsFrom } from '../../connection/rest-schemas.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { useAlertsStore } from '../../stores/alerts-store.js';
import { useEditorStore, type Language, type Problem } from '../../stores/editor-store.js';
import { monaco, syntaxDiagnostics } from './monaco-setup.js';

export const HUB_MARKER_OWNER = 'wactorz-hub';

const models = new Map<string, monaco.editor.ITextModel>();
/** Agents created in the editor but not yet deployed. */
const drafts = new Map<string, { language: Language; description: string; subscribes?: string[] }>();

const ext = (l: Language) => (l === 'typescript' ? 'ts' : 'js');

function modelFor(name: string, language: Language, code: string): monaco.editor.ITextModel {
  const uri = monaco.Uri.parse(`file:///agents/${encodeURIComponent(name)}.${ext(language)}`);
  let m = models.get(name);
  if (m && m.getLanguageId() !== language) {
    m.dispose();
    m = undefined;
  }
  if (!m) {
    m = monaco.editor.getModel(uri) ?? monaco.editor.createModel(code, language, uri);
    models.set(name, m);
    m.onDidChangeContent(() => {
      const st = useEditorStore.getState();
      if (st.open?.name !== name) return;
      st.setDirty(m!.getValue() !== st.open.deployedCode);
      // "Deployed" no longer describes the text once it changes.
      if (st.deploy.phase === 'ok') st.setDeploy({ phase: 'idle' });
      scheduleHubCheck(m!);
    });
  }
  return m;
}

// The hub's own check (POST /agents/validate: syntax, exports, imports, TypeScript types against
// the agent API), run as the user pauses typing so what the hub would refuse shows before deploy.
const CHECK_DELAY_MS = 700;
let checkTimer: ReturnType<typeof setTimeout> | null = null;
let hubCheckAvailable = true;

type CheckOutcome = { ok: boolean; diagnostics: CodeDiagnostic[] } | null;

async function hubCheck(model: monaco.editor.ITextModel): Promise<CheckOutcome> {
  if (!hubCheckAvailable) return null;
  const language = model.getLanguageId() === 'typescript' ? 'typescript' : 'javascript';
  try {
    return await hub.rest.validateCode(model.getValue(), language);
  } catch (e) {
    // An older hub without the route: deploy alone judges.
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) hubCheckAvailable = false;
    return null;
  }
}

function scheduleHubCheck(model: monaco.editor.ITextModel): void {
  if (checkTimer) clearTimeout(checkTimer);
  checkTimer = setTimeout(() => {
    checkTimer = null;
    const version = model.getVersionId();
    void hubCheck(model).then((r) => {
      // Only the latest text of the model still open counts.
      if (!r || model.isDisposed() || model.getVersionId() !== version || currentModel() !== model) return;
      setHubMarkers(model, r.diagnostics);
    });
  }, CHECK_DELAY_MS);
}

export function currentModel(): monaco.editor.ITextModel | null {
  const open = useEditorStore.getState().open;
  return open ? (models.get(open.name) ?? null) : null;
}

// Live problems from the language service for the open model.
monaco.editor.onDidChangeMarkers((uris) => {
  const model = currentModel();
  if (!model || !uris.some((u) => u.toString() === model.uri.toString())) return;
  const problems: Problem[] = monaco.editor
    .getModelMarkers({ resource: model.uri })
    .filter((mk) => mk.owner !== HUB_MARKER_OWNER && mk.severity >= monaco.MarkerSeverity.Warning)
    .map((mk) => {
      const p: Problem = {
        message: mk.message,
        line: mk.startLineNumber,
        column: mk.startColumn,
        severity: mk.severity === monaco.MarkerSeverity.Error ? 'error' : 'warning',
        source: 'editor',
      };
      const code = typeof mk.code === 'string' ? mk.code : mk.code?.value;
      if (code !== undefined) p.code = code;
      return p;
    });
  useEditorStore.getState().setEditorProblems(problems);
});

function setHubMarkers(model: monaco.editor.ITextModel, diags: CodeDiagnostic[]): void {
  monaco.editor.setModelMarkers(
    model,
    HUB_MARKER_OWNER,
    diags.map((d) => {
      const line = Math.min(Math.max(1, d.line), model.getLineCount());
      const col = Math.max(1, d.column);
      const word = model.getWordAtPosition({ lineNumber: line, column: col });
      return {
        message: d.message,
        severity: d.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
        startLineNumber: line,
        startColumn: word ? word.startColumn : col,
        endLineNumber: line,
        endColumn: word ? word.endColumn : Math.max(col + 1, model.getLineMaxColumn(line)),
        source: 'hub',
      };
    }),
  );
  useEditorStore.getState().setHubProblems(diags.map((d) => ({ ...d, source: 'hub' as const })));
}

export async function openAgent(name: string): Promise<void> {
  const st = useEditorStore.getState();
  const draft = drafts.get(name);
  if (draft) {
    const m = models.get(name);
    st.setOpen({ name, language: draft.language, version: 0, versions: [], deployedCode: '', isNew: true });
    if (m) st.setDirty(true);
    return;
  }
  st.setLoading(true);
  try {
    const r = await hub.rest.getCode(name);
    const existing = models.get(name);
    const keepEdits = existing !== undefined && existing.getLanguageId() === r.language && existing.getValue() !== r.code && useEditorStore.getState().open?.name !== name;
    const m = modelFor(name, r.language, r.code);
    if (!keepEdits && m.getValue() !== r.code) m.setValue(r.code);
    monaco.editor.setModelMarkers(m, HUB_MARKER_OWNER, []);
    st.setOpen({ name: r.name, language: r.language, version: r.version, versions: [...r.versions].sort((a, b) => b.version - a.version), deployedCode: r.code, isNew: false });
    st.setDirty(m.getValue() !== r.code);
    st.setLoading(false);
    scheduleHubCheck(m);
  } catch (e) {
    st.setOpen(null);
    st.setLoading(false, e instanceof ApiError && e.status === 404 ? `There is no dynamic agent named “${name}”.` : (e as Error).message);
  }
}

/** Re-reads versions after a deploy or rollback without touching unsaved edits. */
async function reload(name: string, replaceText: boolean): Promise<void> {
  const r = await hub.rest.getCode(name);
  const m = modelFor(name, r.language, r.code);
  if (replaceText && m.getValue() !== r.code) m.setValue(r.code);
  const st = useEditorStore.getState();
  const deploy = st.deploy;
  const problems = st.problems;
  st.setOpen({ name: r.name, language: r.language, version: r.version, versions: [...r.versions].sort((a, b) => b.version - a.version), deployedCode: r.code, isNew: false });
  useEditorStore.setState({ deploy, problems });
  st.setDirty(m.getValue() !== r.code);
}

function versionFrom(body: unknown): number | undefined {
  const v = (body as { version?: unknown } | null)?.version;
  return typeof v === 'number' ? v : undefined;
}

export async function deploy(): Promise<void> {
  const st = useEditorStore.getState();
  const open = st.open;
  const model = currentModel();
  if (!open || !model || st.deploy.phase === 'deploying') return;
  monaco.editor.setModelMarkers(model, HUB_MARKER_OWNER, []);
  st.setHubProblems([]);
  st.setDeploy({ phase: 'deploying' });

  // Syntax errors fail on the hub too: refuse here, with the markers in place.
  let syntax: { message: string; line: number; column: number }[] = [];
  try {
    syntax = await syntaxDiagnostics(model);
  } catch {
    syntax = []; // the language service is unavailable: let the hub judge
  }
  if (syntax.length > 0) {
    // The language service already marks these inline; the result lists them too.
    const diags: CodeDiagnostic[] = syntax.map((d) => ({ ...d, severity: 'error' }));
    st.setDeploy({ phase: 'refused', message: `Not deployed: ${diags.length} syntax error${diags.length > 1 ? 's' : ''}. Fix ${diags.length > 1 ? 'them' : 'it'} and deploy again.`, diagnostics: diags });
    return;
  }

  const check = await hubCheck(model);
  if (check && !check.ok) {
    setHubMarkers(model, check.diagnostics);
    const errors = check.diagnostics.filter((d) => d.severity === 'error');
    st.setDeploy({
      phase: 'refused',
      message: `Not deployed: the hub would refuse this code (${errors.length} error${errors.length === 1 ? '' : 's'}). ${open.isNew ? '' : 'The running version is unchanged.'}`.trim(),
      diagnostics: errors,
    });
    return;
  }

  const code = model.getValue();
  try {
    let body: unknown;
    if (open.isNew) {
      const draft = drafts.get(open.name);
      body = await hub.rest.createAgent({ name: open.name, code, language: open.language, ...(draft?.description ? { description: draft.description } : {}), ...(draft?.subscribes?.length ? { subscribes: draft.subscribes } : {}) });
      drafts.delete(open.name);
    } else {
      body = await hub.rest.putCode(open.name, code, open.language);
    }
    const version = versionFrom(body);
    await reload(open.name, false);
    useEditorStore.getState().setDeploy({
      phase: 'ok',
      message: open.isNew ? `Created ${open.name}${version ? ` (version ${version})` : ''}: it is running.` : `Deployed${version ? ` version ${version}` : ''}: hot-swapped, state kept.`,
      ...(version !== undefined ? { version } : {}),
    });
    useAlertsStore.getState().notify(open.isNew ? `${open.name} created` : `${open.name} deployed`, 'info', open.name);
    void hub.refresh();
  } catch (e) {
    const err = e as Error;
    const diags = e instanceof ApiError ? diagnosticsFrom(e.body) : [];
    if (diags.length > 0) {
      setHubMarkers(model, diags);
      useEditorStore.getState().setDeploy({ phase: 'refused', message: `The hub refused this code: ${err.message}. The previous version keeps running.`, diagnostics: diags });
    } else if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
      const detail = e.detail !== undefined ? `\n${typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail, null, 2)}` : '';
      useEditorStore.getState().setDeploy({ phase: 'refused', message: `The hub refused this code: ${err.message}${detail}`, diagnostics: [] });
    } else {
      useEditorStore.getState().setDeploy({ phase: 'error', message: `Deploy failed: ${err.message}` });
    }
  }
}

export async function showDiff(version: number | null): Promise<void> {
  const st = useEditorStore.getState();
  const open = st.open;
  if (!open || version === null) {
    st.showDiff(null);
    return;
  }
  st.showDiff(version, null, null);
  try {
    const code = version === open.version ? open.deployedCode : await hub.rest.getVersionCode(open.name, version);
    if (useEditorStore.getState().diffVersion === version) st.showDiff(version, code, null);
  } catch (e) {
    if (useEditorStore.getState().diffVersion === version) st.showDiff(version, null, (e as Error).message);
  }
}

export async function rollback(version: number): Promise<void> {
  const st = useEditorStore.getState();
  const open = st.open;
  if (!open) return;
  st.setDeploy({ phase: 'deploying' });
  try {
    const body = await hub.rest.rollback(open.name, version);
    await reload(open.name, true);
    const now = versionFrom(body);
    useEditorStore.getState().setDeploy({ phase: 'ok', message: `Rolled back to version ${version}${now && now !== version ? ` (now version ${now})` : ''}.` });
    useEditorStore.getState().showDiff(null);
    void hub.refresh();
  } catch (e) {
    useEditorStore.getState().setDeploy({ phase: 'error', message: `Rollback failed: ${(e as Error).message}` });
  }
}

export const AGENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export function validateNewName(name: string): string | null {
  if (!name) return 'Give the agent a name.';
  if (!AGENT_NAME.test(name)) return 'Letters, digits, - and _ only (up to 63).';
  const taken = Object.values(useAgentsStore.getState().byId).some((a) => a.name === name) || drafts.has(name);
  return taken ? `An agent named “${name}” already exists.` : null;
}

/** `subscribes`: the topics its template reads (declared at creation: the hub refuses undeclared ones). */
export function newAgent(name: string, language: Language, code: string, description: string, subscribes?: string[]): void {
  drafts.set(name, { language, description, ...(subscribes?.length ? { subscribes } : {}) });
  const m = modelFor(name, language, code);
  m.setValue(code);
}

export function discardDraft(name: string): void {
  drafts.delete(name);
  models.get(name)?.dispose();
  models.delete(name);
}

export function draftNames(): string[] {
  return Array.from(drafts.keys());
}

export function modelOf(name: string): monaco.editor.ITextModel | undefined {
  return models.get(name);
}

/** Moves the cursor to a problem. */
export function revealProblem(editor: monaco.editor.ICodeEditor | null, p: { line: number; column: number }): void {
  if (!editor) return;
  editor.revealLineInCenter(p.line);
  editor.setPosition({ lineNumber: p.line, column: p.column });
  editor.focus();
}

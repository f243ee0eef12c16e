import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorText } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import type { EditorProblem } from '../../components/yaml-editor.tsx';

/**
 * What the administration editors share: a version as the version lists give it, the problems of a
 * refused request, the list of versions, and a YAML draft checked by the server as it is typed.
 */

/** A version of a plan, rule, routing table or category list (open objects in the server's schemas). */
export interface VersionInfo {
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly active?: boolean;
}

/** The problems of a refused request, or the request's error as one problem. */
export function problemsOf(e: unknown): EditorProblem[] {
  if (e instanceof ApiError && e.errors.length > 0) return e.errors as EditorProblem[];
  return [{ path: '', message: errorText(e) }];
}

export function VersionList(props: { readonly items: readonly VersionInfo[]; readonly current?: number | null; onView?(v: number): void; readonly testId: string }) {
  const { tr, fmtTime } = useI18n();
  return (
    <ul className="small" data-testid={props.testId} style={{ paddingLeft: '1.2rem' }}>
      {props.items.map((v) => (
        <li key={v.version}>
          <strong>{tr(`第 ${v.version} 版`, `v${v.version}`)}</strong> · {v.createdBy.startsWith('file:') ? <>{tr('文件', 'file')} <code>{v.createdBy.slice(5)}</code></> : v.createdBy} · {fmtTime(v.createdAt)}
          {props.current === v.version ? ` · ${tr('在用', 'in force')}` : ''}
          {props.onView && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => props.onView!(v.version)} aria-label={tr(`查看第 ${v.version} 版`, `View version ${v.version}`)}>
                {tr('查看', 'view')}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * A YAML draft checked by the server as it is typed (600 ms after the last key): its text, whether
 * it was edited, its problems, a note for the user, and the check itself.
 */
export function useCheckedDraft(validateUrl: string) {
  const { tr } = useI18n();
  const [source, setSource] = useState('');
  const [edited, setEdited] = useState(false);
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const check = useCallback(
    async (text: string): Promise<boolean> => {
      try {
        const r = await api<{ ok: boolean; problems: EditorProblem[] }>(validateUrl, { body: { source: text } });
        setProblems(r.problems);
        return r.ok;
      } catch (e) {
        setProblems(problemsOf(e));
        return false;
      }
    },
    [validateUrl],
  );
  useEffect(() => {
    if (!edited) return;
    const timer = setTimeout(() => void check(source), 600);
    return () => clearTimeout(timer);
  }, [source, edited, check]);
  const onEdit = (v: string) => {
    setSource(v);
    setEdited(true);
    setNote(null);
  };
  const validate = async () => {
    setNote(null);
    if (await check(source)) setNote(tr('校验通过', 'No problems'));
  };
  return { source, setSource, edited, setEdited, problems, setProblems, note, setNote, check, onEdit, validate };
}

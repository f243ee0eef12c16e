import { useEffect, useRef, type CSSProperties, type UIEvent } from 'react';
import { useI18n } from '../i18n.tsx';

/** A problem the API found in an edited text: a JSON pointer, a message (both languages when given) and its line. */
export interface EditorProblem {
  readonly path: string;
  readonly message: string;
  readonly messageZh?: string;
  readonly line?: number;
  readonly column?: number;
}

/** The message in the page's language. */
export function problemText(p: EditorProblem, lang: 'zh' | 'en'): string {
  return lang === 'zh' && p.messageZh ? p.messageZh : p.message;
}

const MONO: CSSProperties = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: '0.85rem', lineHeight: '1.5' };

/**
 * A YAML editor for administrators: the text with its line numbers, a mark on each line that has
 * a problem, and under it the problems with their path and line; choosing one puts the cursor on
 * its line. The problems' container has the id `${id}-problems` (the text area points to it).
 */
export function YamlEditor(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  onChange(v: string): void;
  readonly problems: readonly EditorProblem[];
  readonly readOnly?: boolean;
  readonly rows?: number;
}) {
  const { tr, lang } = useI18n();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = Math.max(1, props.value.split('\n').length);
  const marked = new Map<number, EditorProblem[]>();
  for (const p of props.problems) if (p.line) marked.set(p.line, [...(marked.get(p.line) ?? []), p]);
  const rows = props.rows ?? 20;
  const height = `calc(${rows} * 1.5 * 0.85rem + 1rem)`;
  const sync = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  // A new text (another rule, another version) starts at the top.
  useEffect(() => {
    if (gutter.current && area.current) gutter.current.scrollTop = area.current.scrollTop;
  }, [props.value]);
  const goTo = (line: number, column = 1) => {
    const el = area.current;
    if (!el) return;
    const starts = [0];
    for (let i = 0; i < el.value.length; i++) if (el.value[i] === '\n') starts.push(i + 1);
    const start = starts[Math.min(line, starts.length) - 1] ?? 0;
    const end = starts[line] !== undefined ? starts[line]! - 1 : el.value.length;
    el.focus();
    el.setSelectionRange(Math.min(start + Math.max(0, column - 1), end), end);
    // Bring the line into view: the text area scrolls by pixels.
    el.scrollTop = Math.max(0, (line - 3) * parseFloat(getComputedStyle(el).lineHeight || '19'));
  };
  return (
    <div className="stack" style={{ gap: '0.3rem' }}>
      <label htmlFor={props.id}>{props.label}</label>
      <div style={{ display: 'flex', border: `1px solid ${props.problems.length > 0 ? '#b91c1c' : 'var(--line)'}`, borderRadius: 6, background: '#081522', overflow: 'hidden' }}>
        <div ref={gutter} aria-hidden="true" style={{ ...MONO, height, overflow: 'hidden', padding: '0.5rem 0', minWidth: '3.2em', textAlign: 'right', background: '#0a1c2e', color: 'var(--muted)', userSelect: 'none' }}>
          {Array.from({ length: lines }, (_, i) => {
            const bad = marked.get(i + 1);
            return (
              <div key={i} title={bad?.map((p) => problemText(p, lang)).join('\n')} style={{ padding: '0 0.4rem', whiteSpace: 'pre', ...(bad ? { background: '#4c1414', color: '#fecaca', fontWeight: 700 } : {}) }}>
                {bad ? '⚠ ' : ''}
                {i + 1}
              </div>
            );
          })}
        </div>
        <textarea
          ref={area}
          id={props.id}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          onScroll={sync}
          readOnly={props.readOnly}
          spellCheck={false}
          wrap="off"
          aria-invalid={props.problems.length > 0}
          aria-describedby={`${props.id}-problems`}
          style={{ ...MONO, height, border: 'none', borderRadius: 0, resize: 'vertical', padding: '0.5rem 0.6rem', whiteSpace: 'pre', overflow: 'auto', flex: 1, background: 'transparent' }}
        />
      </div>
      <div id={`${props.id}-problems`} role="alert" aria-live="polite">
        {props.problems.length > 0 && (
          <ul className="error small" style={{ margin: 0, paddingLeft: '1.4rem' }} aria-label={tr(`${props.problems.length} 个问题`, `${props.problems.length} problem${props.problems.length === 1 ? '' : 's'}`)}>
            {props.problems.map((p, i) => (
              <li key={i}>
                {p.line ? (
                  <button type="button" className="link" onClick={() => goTo(p.line!, p.column)} aria-label={tr(`转到第 ${p.line} 行`, `Go to line ${p.line}`)}>
                    {tr(`第 ${p.line} 行`, `line ${p.line}`)}
                  </button>
                ) : null}
                {p.line ? ' · ' : ''}
                <code>{p.path || '/'}</code>: {problemText(p, lang)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n.tsx';

/** A modal built on <dialog>: focus stays inside, Escape closes, the page behind is inert. */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const { tr } = useI18n();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={wide ? 'wide' : undefined} aria-labelledby={id} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header>
        <h2 id={id}>{title}</h2>
        <button type="button" className="ghost close" onClick={onClose} aria-label={tr('关闭', 'Close')}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/** Asks for a text (a reason, a note, a label) with a labelled field; resolves null when cancelled. */
export function TextPrompt({ title, label, required = true, multiline = false, onDone }: { title: string; label: string; required?: boolean; multiline?: boolean; onDone: (text: string | null) => void }) {
  const { tr } = useI18n();
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (required && !text.trim()) return;
    onDone(text.trim());
  };
  return (
    <Dialog title={title} onClose={() => onDone(null)}>
      <form onSubmit={submit} className="stack">
        <label>
          {label}
          {multiline ? <textarea value={text} onChange={(e) => setText(e.target.value)} required={required} autoFocus rows={3} /> : <input value={text} onChange={(e) => setText(e.target.value)} required={required} autoFocus />}
        </label>
        <div className="row end">
          <button type="button" onClick={() => onDone(null)}>
            {tr('取消', 'Cancel')}
          </button>
          <button type="submit" className="primary">
            {tr('确定', 'OK')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A promise-returning prompt for imperative code (the map asks for a label's text). */
export function usePrompt(): [ReactNode, (title: string, label: string, opts?: { required?: boolean; multiline?: boolean }) => Promise<string | null>] {
  const [state, setState] = useState<{ title: string; label: string; required: boolean; multiline: boolean; resolve: (t: string | null) => void } | null>(null);
  const node = state ? (
    <TextPrompt
      title={state.title}
      label={state.label}
      required={state.required}
      multiline={state.multiline}
      onDone={(t) => {
        state.resolve(t);
        setState(null);
      }}
    />
  ) : null;
  const ask = (title: string, label: string, opts: { required?: boolean; multiline?: boolean } = {}) =>
    new Promise<string | null>((resolve) => setState({ title, label, required: opts.required ?? true, multiline: opts.multiline ?? false, resolve }));
  return [node, ask];
}

import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { count } from '../labels.ts';

/**
 * Photos chosen from the phone or the disk, in the page's language: a styled button over a
 * visually hidden file input (the browser's own "Choose Files / No file chosen" is in the browser's
 * language, not the page's), the count chosen, and our own message when a photo is required.
 */
export function PhotoPicker({ label, onChange, required = false, capture = false, testId }: { label: string; onChange: (files: File[]) => void; required?: boolean; capture?: boolean; testId?: string }) {
  const { tr } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File[]>([]);
  const [invalid, setInvalid] = useState(false);
  const message = tr('请至少选择一张现场照片', 'Choose at least one site photo');
  // The browser's bubble shows our words too (a required file input left empty is invalid).
  useEffect(() => {
    input.current?.setCustomValidity(required && chosen.length === 0 ? message : '');
  }, [required, chosen.length, message]);
  return (
    <div className="photo-picker">
      <span id={`${id}-l`}>{label}</span>
      <div className="row wrap">
        <label className="button" htmlFor={id}>
          {tr('选择照片', 'Choose photos')}
        </label>
        <input
          id={id}
          ref={input}
          className="sr-only"
          type="file"
          accept="image/*"
          {...(capture ? { capture: 'environment' as const } : {})}
          multiple
          required={required}
          aria-label={label}
          data-testid={testId}
          onInvalid={() => setInvalid(true)}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            setChosen(files);
            setInvalid(false);
            onChange(files);
          }}
        />
        <span className="muted small" aria-live="polite">
          {chosen.length === 0 ? tr('未选择照片', 'No photo chosen') : `${count(chosen.length, '张照片', 'photo', tr)}：${chosen.map((f) => f.name).join('、')}`}
        </span>
      </div>
      {invalid && <p className="error small" role="alert">{message}</p>}
    </div>
  );
}

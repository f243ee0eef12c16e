import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { readDate } from '../date-text.ts';

/**
 * A date, or a date and a time, typed as text in the page's language. Not the browser's own date
 * widget: Chromium draws that in the browser's language, so a Chinese page on an English browser
 * showed "mm/dd/yyyy". Values in and out are those of the native inputs — 'YYYY-MM-DD', or
 * 'YYYY-MM-DDTHH:mm' with `withTime` — on the city's clock; '' when empty. Until the text reads as
 * a date the parent hears nothing, and the field says, in the page's language, what it expects.
 */
export function DateField(props: {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly withTime?: boolean;
  /** The earliest value accepted, in the same form as `value`. */
  readonly min?: string;
  readonly required?: boolean;
  readonly testId?: string;
  readonly autoFocus?: boolean;
}) {
  const { tr } = useI18n();
  const { value, onChange, withTime = false, min, required, testId } = props;
  const [text, setText] = useState(shown(value));
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // The parent's value moved (a saved view, a clear button): show it, unless the text already says it.
    if (readDate(text, withTime) !== value) setText(shown(value));
  }, [value]);

  const judge = (t: string): string => {
    if (!t.trim()) return required ? tr('请填写日期', 'Please enter a date') : '';
    const v = readDate(t, withTime);
    if (v === null) return withTime ? tr('请按“年-月-日 时:分”填写，如 2026-12-08 08:00', 'Please write year-month-day hour:minute, e.g. 2026-12-08 08:00') : tr('请按“年-月-日”填写，如 2026-12-08', 'Please write year-month-day, e.g. 2026-12-08');
    if (min && v < min) return tr(`不能早于 ${shown(min)}`, `Not before ${shown(min)}`);
    return '';
  };

  return (
    <input
      ref={ref}
      type="text"
      value={text}
      placeholder={withTime ? tr('年-月-日 时:分', 'yyyy-mm-dd hh:mm') : tr('年-月-日', 'yyyy-mm-dd')}
      required={required}
      autoFocus={props.autoFocus}
      autoComplete="off"
      spellCheck={false}
      size={withTime ? 16 : 10}
      data-testid={testId}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        const problem = judge(t);
        e.target.setCustomValidity(problem);
        if (!t.trim()) onChange('');
        else if (!problem) onChange(readDate(t, withTime)!);
      }}
      onBlur={(e) => {
        e.target.setCustomValidity(judge(e.target.value));
        e.target.reportValidity();
      }}
    />
  );
}

/** The value as a person writes it: '2026-12-08 08:00'. */
function shown(value: string | undefined): string {
  return value ? value.replace('T', ' ') : '';
}

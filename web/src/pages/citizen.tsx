import { useCallback, useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { PhotoPicker } from '../components/photo-picker.tsx';
import { useI18n } from '../i18n.tsx';
import { liveFeed } from '../live-feed.ts';
import { StateChip } from '../components/case-bits.tsx';
import type { CaseView } from '../types.ts';

function newRequestId(): string {
  return crypto.randomUUID();
}

function Replies({ c }: { c: CaseView }) {
  const { tr, fmtTime } = useI18n();
  const [items, setItems] = useState<{ at: string; type: string; text: string }[] | null>(null);
  useEffect(() => {
    api<{ items: { at: string; type: string; text: string }[] }>(`/api/v1/cases/${c.id}/replies`).then((r) => setItems(r.items), () => setItems([]));
  }, [c.id, c.version]);
  if (!items) return <p className="muted small">{tr('加载中…', 'Loading…')}</p>;
  return (
    <ol className="timeline" data-testid="replies">
      {items.map((r, i) => (
        <li key={i}>
          <time>{fmtTime(r.at)}</time> {r.text}
        </li>
      ))}
    </ol>
  );
}

function FollowUp({ c, onDone }: { c: CaseView; onDone: () => void }) {
  const { tr } = useI18n();
  const [solved, setSolved] = useState(true);
  const [satisfaction, setSatisfaction] = useState('satisfied');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      await api(`/api/v1/cases/${c.id}/evaluate`, { body: { solved, satisfaction, ...(satisfaction === 'unsatisfied' ? { reason: 'not_solved' } : {}), ...(comment ? { comment } : {}) } });
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label={tr('回访评价', 'Follow-up')} data-testid="follow-up">
      <fieldset>
        <legend>{tr('问题解决了吗？', 'Was the problem solved?')}</legend>
        <label className="inline"><input type="radio" name={`solved-${c.id}`} checked={solved} onChange={() => setSolved(true)} /> {tr('已解决', 'Yes')}</label>
        <label className="inline"><input type="radio" name={`solved-${c.id}`} checked={!solved} onChange={() => setSolved(false)} /> {tr('未解决', 'No')}</label>
      </fieldset>
      <label>
        {tr('满意度', 'Satisfaction')}
        <select value={satisfaction} onChange={(e) => setSatisfaction(e.target.value)}>
          <option value="satisfied">{tr('满意', 'Satisfied')}</option>
          <option value="basically_satisfied">{tr('基本满意', 'Basically satisfied')}</option>
          <option value="unsatisfied">{tr('不满意', 'Unsatisfied')}</option>
        </select>
      </label>
      <label>
        {tr('意见（可选）', 'Comment (optional)')}
        <input value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" className="primary">{tr('提交评价', 'Send')}</button>
    </form>
  );
}

/** 民呼我为: a citizen submits an appeal in their own words, follows it, and answers the follow-up. */
export default function Citizen() {
  const { tr, fmtTime } = useI18n();
  const [text, setText] = useState('');
  const [place, setPlace] = useState('');
  const [pos, setPos] = useState<{ lng: number; lat: number } | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<CaseView | null>(null);
  const [mine, setMine] = useState<CaseView[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [requestId, setRequestId] = useState(newRequestId);

  const load = useCallback(async () => {
    const r = await api<{ items: CaseView[] }>(`/api/v1/cases${qs({ limit: 50 })}`);
    setMine(r.items);
  }, []);
  useEffect(() => void load().catch((e) => setError(errorText(e))), [load]);
  useEffect(() => liveFeed.subscribe(() => void load().catch(() => undefined)), [load]);

  const locate = () => {
    if (!navigator.geolocation) {
      setError(tr('此设备无法定位，请填写地点', 'This device cannot locate you: name the place'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => setPos({ lng: p.coords.longitude, lat: p.coords.latitude }),
      () => setError(tr('定位失败，请填写地点', 'Could not get your position: name the place')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      // Phones report WGS-84; the server converts. The request id makes a resend harmless.
      const body = { text, clientRequestId: requestId, ...(pos ? { lng: pos.lng, lat: pos.lat, crs: 'wgs84' } : { place }) };
      const c = await api<CaseView>('/api/v1/appeals', { body });
      for (const f of files) await api(`/api/v1/cases/${c.id}/attachments${qs({ fileName: f.name })}`, { raw: { data: f, type: f.type || 'application/octet-stream' } });
      setDone(c);
      setText('');
      setPlace('');
      setPos(null);
      setFiles([]);
      setRequestId(newRequestId());
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page phone" data-testid="citizen">
      <h1>{tr('民呼我为', 'The people call, we act')}</h1>
      <section className="panel" aria-labelledby="new-h">
        <h2 id="new-h">{tr('我要反映', 'Tell us')}</h2>
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <label>
            {tr('反映的问题', 'What is the matter?')}
            <textarea name="text" value={text} onChange={(e) => setText(e.target.value)} required rows={4} placeholder={tr('例如：小区门口路灯不亮已经一周了', 'e.g. the street light at our gate has been out for a week')} />
          </label>
          <label>
            {tr('地点（地名或地址）', 'Where (a place name or address)')}
            <input name="place" value={place} onChange={(e) => setPlace(e.target.value)} disabled={pos !== null} required={pos === null} placeholder={tr('例如：解放碑', 'e.g. 解放碑')} />
          </label>
          <div className="row wrap">
            <button type="button" onClick={locate}>{tr('使用我的位置', 'Use my position')}</button>
            {pos && (
              <span className="small">
                {pos.lng.toFixed(5)}, {pos.lat.toFixed(5)}{' '}
                <button type="button" className="link" onClick={() => setPos(null)}>{tr('清除', 'clear')}</button>
              </span>
            )}
          </div>
          <PhotoPicker label={tr('照片（可选）', 'Photos (optional)')} onChange={setFiles} />
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit" className="primary" disabled={busy}>{busy ? tr('提交中…', 'Sending…') : tr('提交', 'Send')}</button>
          {done && (
            <p role="status" className="ok" data-testid="submitted">
              {tr(`已受理，编号 ${done.number}`, `Received: number ${done.number}`)}
            </p>
          )}
        </form>
      </section>
      <section className="panel" aria-labelledby="mine-h">
        <h2 id="mine-h">{tr('我的诉求', 'My appeals')}</h2>
        {mine.length === 0 && <p className="muted">{tr('暂无', 'None yet')}</p>}
        <ul className="list" data-testid="my-appeals">
          {mine.map((c) => (
            <li key={c.id} className="panel">
              <button type="button" className="item" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
                <span className="item-title">{c.title}</span>
                <span className="item-sub">
                  {c.number} · <StateChip state={c.state} name={c.stateName} /> · {fmtTime(c.createdAt)}
                </span>
              </button>
              {open === c.id && (
                <div className="stack">
                  <Replies c={c} />
                  {c.actions.includes('evaluate') && <FollowUp c={c} onDone={() => void load()} />}
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

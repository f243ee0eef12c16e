import { describe, expect, it } from 'vitest';
import { findDanger, higherPriority, matchRefine, type DangerRule, type RefineRule } from './appeal-keywords.ts';

const refine: RefineRule[] = [
  { category: 'municipal.manhole.damaged', keywords: ['井盖', '井盖松', '井盖+响'] },
  { category: 'municipal.manhole.missing', keywords: ['井盖不见', '井盖+偷', '没有井盖'] },
  { category: 'safety.fire', keywords: ['着火', '冒烟'], unless: ['火锅', '山上+烧'] },
  { category: 'safety.forest-fire', keywords: ['山火', '山上+着火'] },
];
const danger: DangerRule[] = [
  { priority: 'urgent', reason: '有人受伤', words: ['有人受伤', '差点掉下去'], unless: ['工伤认定'] },
  { priority: 'urgent', reason: '火情', words: ['着火', '冒烟'] },
  { priority: 'high', reason: '危险', words: ['很危险'] },
];

describe('keyword rules (refine)', () => {
  it('picks the rule whose words cover most of the message, not the first that matches', () => {
    expect(matchRefine(refine, '八一路口的井盖不见了')).toEqual({ category: 'municipal.manhole.missing', keyword: '井盖不见' });
    expect(matchRefine(refine, '八一路口的井盖松了，车一过就响')).toEqual({ category: 'municipal.manhole.damaged', keyword: '井盖松' });
    // A word inside a longer one adds nothing: 井盖 within 井盖不见 does not outweigh it.
    expect(matchRefine(refine, '井盖不见')?.category).toBe('municipal.manhole.missing');
    expect(matchRefine(refine, '随便说说')).toBeNull();
  });

  it('reads a+b as both words close together, in either order', () => {
    expect(matchRefine(refine, '小区门口井盖昨晚被人偷走了')?.category).toBe('municipal.manhole.missing');
    expect(matchRefine(refine, '有人偷电瓶车。' + '这段话很长很长很长很长很长很长很长很长很长很长。后来看到一个井盖')?.category).toBe('municipal.manhole.damaged');
  });

  it('skips a word said in the negative, unless the rule wrote the negation into its word', () => {
    expect(matchRefine(refine, '不是着火，是隔壁在熏腊肉')).toBeNull();
    expect(matchRefine(refine, '路口没有井盖了')?.category).toBe('municipal.manhole.missing');
    // A character of a negation inside another word says nothing negative: 被水淹没.
    expect(matchRefine([{ category: 'x', keywords: ['着火'] }], '被水淹没着火的车')?.category).toBe('x');
  });

  it('drops a rule whose unless phrase shows the message is about something else', () => {
    expect(matchRefine(refine, '楼下火锅店冒烟')).toBeNull();
    expect(matchRefine(refine, '山上有块地在烧，冒烟了')).toBeNull();
    expect(matchRefine(refine, '后面的山上着火了')?.category).toBe('safety.forest-fire');
    // Full-width letters and spaces are read as half-width and away.
    expect(matchRefine([{ category: 'x', keywords: ['led屏'] }], '楼顶 ＬＥＤ屏 太亮')?.category).toBe('x');
  });
});

describe('danger words', () => {
  it('raise to the highest priority found and say which words and why', () => {
    expect(findDanger(danger, '井盖不见了，已经有人差点掉下去，很危险')).toEqual({
      priority: 'urgent',
      words: ['差点掉下去', '很危险'],
      why: '危险词“差点掉下去”、“很危险”（有人受伤；危险）：优先级提至紧急',
    });
    expect(findDanger(danger, '这个坑很危险')).toMatchObject({ priority: 'high', why: '危险词“很危险”（危险）：优先级提至高' });
    expect(findDanger(danger, '路灯不亮')).toBeNull();
  });

  it('are not raised by a negated word, a worry, or an unless phrase', () => {
    expect(findDanger(danger, '狗没拴绳，还好没有人受伤')).toBeNull();
    expect(findDanger(danger, '未冒烟，也没着火')).toBeNull();
    expect(findDanger(danger, '电线老化，担心哪天着火')).toBeNull();
    expect(findDanger(danger, '万一冒烟了怎么办')).toBeNull();
    // The worry stops at the clause: a fact after it still counts.
    expect(findDanger(danger, '我很担心，楼上着火了')?.priority).toBe('urgent');
    expect(findDanger(danger, '去年有人受伤，工伤认定还没办')).toBeNull();
  });

  it('never lower a category\'s own priority', () => {
    expect(higherPriority('urgent', 'high')).toBe('urgent');
    expect(higherPriority('normal', 'high')).toBe('high');
    expect(higherPriority('low', 'urgent')).toBe('urgent');
  });
});

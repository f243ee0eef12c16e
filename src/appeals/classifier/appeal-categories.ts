/**
 * The seven first-level appeal categories of the 2020 TipDM "智慧政务" message board data
 * (../shared/data/appeals/train.jsonl) and the project's category codes for them
 * (src/cases/category-catalogue.ts, the `appeal.` families). The classifier predicts the Chinese
 * label because that is what a city's past work orders carry; routing uses the code.
 */
export const APPEAL_LABELS = ['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生'] as const;

export type AppealLabel = (typeof APPEAL_LABELS)[number];

export const APPEAL_CATEGORY_CODES: Readonly<Record<AppealLabel, string>> = Object.freeze({
  城乡建设: 'appeal.urban-rural',
  环境保护: 'appeal.environment',
  交通运输: 'appeal.transport',
  教育文体: 'appeal.education-culture',
  劳动和社会保障: 'appeal.labour',
  商贸旅游: 'appeal.commerce-tourism',
  卫生计生: 'appeal.health',
});

export function isAppealLabel(s: string): s is AppealLabel {
  return Object.prototype.hasOwnProperty.call(APPEAL_CATEGORY_CODES, s);
}

/**
 * The category code of a label. A city that retrains on its own categories may use labels
 * outside the seven; their code is the label itself, so routing data can still name them.
 */
export function categoryCodeOf(label: string): string {
  return isAppealLabel(label) ? APPEAL_CATEGORY_CODES[label] : label;
}

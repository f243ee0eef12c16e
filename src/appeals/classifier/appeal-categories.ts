/**
 * The seven first-level appeal categories of the 2020 TipDM "智慧政务" message board data
 * (../shared/data/appeals/train.jsonl), which the shipped model is trained on. The classifier
 * predicts these Chinese labels because that is what a city's past work orders carry; which
 * category code a label routes to is the city's (its pack's `appealLabelCategories`).
 */
export const APPEAL_LABELS = ['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生'] as const;

export type AppealLabel = (typeof APPEAL_LABELS)[number];

/** A city pack's table: classifier label → category code. */
export type AppealLabelCategories = Readonly<Record<string, string>>;

/**
 * The category code of a label in a city's table. A label the table leaves out (a pack without
 * the table, or a model retrained on a city's own categories) is its own code, so routing data
 * can still name it.
 */
export function categoryCodeOf(label: string, table: AppealLabelCategories = {}): string {
  return Object.prototype.hasOwnProperty.call(table, label) ? table[label]! : label;
}

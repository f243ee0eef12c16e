/**
 * What `cityloop classifier train|eval|classify` do (classifier-commands.ts declares them and
 * loads this file only when one runs): read labelled messages, train or score, print the figures.
 * A bad file or model throws an Error whose message names the line (exit code 1).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progressReporter } from '../../src/terminal/progress.ts';
import { AppealClassifier } from '../../src/appeals/classifier/appeal-classifier.ts';
import type { ClassificationReport, ClassScores } from './classification-metrics.ts';
import { encodeModel } from '../../src/appeals/classifier/model-codec.ts';
import { detectMessageFormat, MessageFileError, parseLabelledMessages, type NumberedMessage } from './read-labelled-messages.ts';
import type { AppealLabelCategories } from '../../src/appeals/classifier/appeal-categories.ts';
import { loadClassifier, SHIPPED_MODEL_URL } from '../../src/appeals/classifier/shipped-classifier.ts';
import { evaluateClassifier, trainAppealClassifier } from './train-appeal-classifier.ts';

async function readMessages(file: string): Promise<{ messages: NumberedMessage[]; sha256: string }> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const messages = parseLabelledMessages(content, detectMessageFormat(file, content), { requireLabel: true });
    if (messages.length === 0) throw new Error(`${file} holds no messages`);
    return { messages, sha256: createHash('sha256').update(content).digest('hex') };
  } catch (e) {
    if (e instanceof MessageFileError) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
}

/** Columns of Chinese labels line up only if CJK characters count as two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

function formatReport(report: ClassificationReport): string[] {
  const width = Math.max(10, ...report.labels.map(displayWidth)) + 2;
  const lines = [`  ${pad('category', width)}precision  recall  F1      support`];
  for (const l of report.labels) {
    const s = report.perClass[l]!;
    lines.push(`  ${pad(l, width)}${s.precision.toFixed(4).padEnd(11)}${s.recall.toFixed(4).padEnd(8)}${s.f1.toFixed(4).padEnd(8)}${s.support}`);
  }
  lines.push(`  macro-F1 ${report.macroF1.toFixed(4)}   accuracy ${report.accuracy.toFixed(4)}   (${report.count} messages)`);
  return lines;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function perClassJson(report: ClassificationReport): Record<string, ClassScores> {
  return Object.fromEntries(
    Object.entries(report.perClass).map(([l, s]) => [l, { precision: round4(s.precision), recall: round4(s.recall), f1: round4(s.f1), support: s.support }]),
  );
}

export interface TrainCommandOptions {
  readonly out: string;
  readonly holdout: number;
  readonly folds: number;
  readonly seed: number;
  readonly titleCopies: boolean;
  readonly source?: string | undefined;
  readonly json: boolean;
}

/** `classifier train`: train on past work orders, write the model, print the figures. */
export async function trainCommand(file: string, opts: TrainCommandOptions): Promise<void> {
  const { holdout, folds, seed } = opts;
  const { messages, sha256 } = await readMessages(file);
  const progress = progressReporter(true);
  const result = trainAppealClassifier(messages, { holdout, folds, seed, titleCopies: opts.titleCopies }, progress.update);
  progress.stop();
  const model = { ...result.model, provenance: { ...result.model.provenance, source: opts.source ?? basename(file), dataSha256: sha256 } };
  const bytes = encodeModel(model);
  const out = resolve(opts.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);

  const cv = result.crossValidation;
  const report = result.holdout?.report ?? cv?.report ?? null;
  if (opts.json) {
    console.log(
      JSON.stringify({
        labels: result.labels,
        messages: messages.length,
        crossValidation: cv ? { folds: cv.folds, macroF1Mean: round4(cv.macroF1Mean), macroF1Sd: round4(cv.macroF1Sd), foldMacroF1: cv.foldMacroF1.map(round4) } : null,
        holdout: result.holdout ? { messages: result.holdout.messages, macroF1: round4(result.holdout.report.macroF1), accuracy: round4(result.holdout.report.accuracy), perClass: perClassJson(result.holdout.report) } : null,
        threshold: model.threshold,
        triageShare: result.holdout ? round4(result.holdout.triageShare) : null,
        model: out,
        bytes: bytes.length,
      }),
    );
    return;
  }
  const lines: string[] = [];
  if (cv) lines.push(`cross-validation (${cv.folds} folds over ${messages.length - (result.holdout?.messages ?? 0)} messages): macro-F1 ${cv.macroF1Mean.toFixed(4)} ± ${cv.macroF1Sd.toFixed(4)}`);
  if (result.holdout) lines.push(`held out (${result.holdout.messages} messages, ${Math.round(holdout * 100)} %, never trained on):`);
  else if (cv) lines.push('out-of-fold predictions of the cross-validation (no held-out split):');
  if (report) lines.push(...formatReport(report));
  if (result.holdout) {
    const h = result.holdout;
    lines.push(`triage threshold ${model.threshold}: ${(h.triageShare * 100).toFixed(1)} % of held-out messages fall under it (right ${(h.accuracyBelowThreshold * 100).toFixed(1)} % under, ${(h.accuracyAboveThreshold * 100).toFixed(1)} % over)`);
  } else if (cv) lines.push(`triage threshold ${model.threshold}`);
  lines.push(`model written to ${out} (${(bytes.length / 1e6).toFixed(2)} MB, ${model.vocabulary.buckets.length} features, ${result.labels.length} categories)`);
  console.log(lines.join('\n'));
}

/** `classifier eval`: score a model on labelled messages. */
export async function evalCommand(file: string, opts: { model?: string | undefined; json?: boolean | undefined }): Promise<void> {
  const classifier = opts.model ? loadClassifier(opts.model) : loadClassifier(SHIPPED_MODEL_URL);
  const { messages } = await readMessages(file);
  const known = new Set(classifier.labels);
  for (const m of messages) {
    if (!known.has(m.label)) throw new Error(`${file}: line ${m.line}: label "${m.label}" is not one the model knows (${classifier.labels.join(', ')})`);
  }
  const progress = progressReporter(!opts.json);
  const scores = evaluateClassifier(classifier, messages, progress.update);
  progress.stop();
  const r = scores.report;
  if (opts.json) {
    console.log(JSON.stringify({ macroF1: round4(r.macroF1), accuracy: round4(r.accuracy), perClass: perClassJson(r) }));
    return;
  }
  const modelName = opts.model ?? fileURLToPath(SHIPPED_MODEL_URL);
  console.log([`${modelName} on ${file}:`, ...formatReport(r), `under the threshold ${classifier.threshold}: ${(scores.triageShare * 100).toFixed(1)} % of messages`].join('\n'));
}

/** `classifier classify`: one message, its category, confidence and the top three. */
export function classifyCommand(text: string, opts: { title?: string | undefined; model?: string | undefined; json?: boolean | undefined }, labelCategories?: AppealLabelCategories): void {
  const classifier: AppealClassifier = loadClassifier(opts.model ?? SHIPPED_MODEL_URL, labelCategories);
  const c = classifier.classify(text, opts.title);
  if (opts.json) {
    console.log(JSON.stringify({ ...c, triage: c.confidence < classifier.threshold }));
    return;
  }
  for (const t of c.top) console.log(`${pad(t.label, 16)}${t.categoryCode.padEnd(28)}${t.confidence.toFixed(3)}`);
  if (c.confidence < classifier.threshold) console.log(`confidence under ${classifier.threshold}: send to manual triage`);
}

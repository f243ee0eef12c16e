/**
 * `cityloop classifier train|eval|classify`: a city retrains the appeal classifier on its own past
 * work orders and scores any model on labelled messages. Exit codes as in src/cli/main.ts: 1 for
 * a bad file or model (the message names the line), 2 for wrong usage (reported through
 * commander, which runCli maps to 2).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { progressReporter } from '../../cli/progress.ts';
import { AppealClassifier } from './appeal-classifier.ts';
import type { AppealLabelCategories } from './appeal-categories.ts';
import type { ClassificationReport, ClassScores } from './classification-metrics.ts';
import { encodeModel } from './model-codec.ts';
import { detectMessageFormat, MessageFileError, parseLabelledMessages, type NumberedMessage } from './read-labelled-messages.ts';
import { loadClassifier, SHIPPED_MODEL_URL } from './shipped-classifier.ts';
import { DEFAULT_TRAINING_OPTIONS, evaluateClassifier, trainAppealClassifier } from './train-appeal-classifier.ts';

const USAGE = { code: 'cityloop.usage', exitCode: 2 } as const;

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

function parseNumberOption(cmd: Command, name: string, raw: string, ok: (n: number) => boolean, rule: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !ok(n)) cmd.error(`error: ${name} must be ${rule}, not "${raw}"`, USAGE);
  return n;
}

/**
 * `labelCategories`: the city pack's label → category code table, read when `classify` runs (the
 * CLI passes the CITY_PACK's); without it each label is printed as its own code.
 */
export function registerClassifierCommands(program: Command, labelCategories?: () => Promise<AppealLabelCategories | undefined>): void {
  const classifier = program.command('classifier').description('智能分拨: the appeal classifier (Chinese text → one of the 7 first-level categories)');

  classifier
    .command('train')
    .argument('<file>', 'labelled messages: JSONL ({"title"?, "text", "label"} a line) or CSV with a header (title?, text, label)')
    .option('--out <path>', 'where to write the model', 'appeals-classifier.bin')
    .option('--holdout <share>', 'share of messages held out (stratified, seeded) to score the model; 0 trains on all', String(DEFAULT_TRAINING_OPTIONS.holdout))
    .option('--folds <k>', 'cross-validation folds for the figures, the confidence calibration and the triage threshold', String(DEFAULT_TRAINING_OPTIONS.folds))
    .option('--seed <n>', 'seed of the folds and the held-out split', String(DEFAULT_TRAINING_OPTIONS.seed))
    .option('--title-copies', 'also train on each title alone (better on one-line messages, slightly worse on letters)')
    .option('--source <text>', 'where the data comes from, recorded in the model (default: the file name)')
    .option('--json', 'print the figures as one JSON object on the last line')
    .description('train a classifier on past work orders; prints cross-validated and held-out precision, recall and F1 per category')
    .action(async (file: string, opts: { out: string; holdout: string; folds: string; seed: string; titleCopies?: boolean; source?: string; json?: boolean }, cmd: Command) => {
      const holdout = parseNumberOption(cmd, '--holdout', opts.holdout, (n) => n >= 0 && n < 1, 'a share in [0, 1)');
      const folds = parseNumberOption(cmd, '--folds', opts.folds, (n) => Number.isInteger(n) && (n === 0 || (n >= 2 && n <= 20)), '0 or an integer from 2 to 20');
      const seed = parseNumberOption(cmd, '--seed', opts.seed, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
      const { messages, sha256 } = await readMessages(file);
      const progress = progressReporter(true);
      const result = trainAppealClassifier(messages, { holdout, folds, seed, titleCopies: Boolean(opts.titleCopies) }, progress.update);
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
    });

  classifier
    .command('eval')
    .argument('<file>', 'JSONL with "text", optional "title" and "label" a line (CSV with a header also works)')
    .option('--model <path>', 'model file (default: the shipped model)')
    .option('--json', 'print {"macroF1", "accuracy", "perClass"} as the last line')
    .description('score a model on labelled messages: precision, recall and F1 per category, macro-F1, accuracy')
    .action(async (file: string, opts: { model?: string; json?: boolean }) => {
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
    });

  classifier
    .command('classify')
    .argument('<text>', 'the message')
    .option('--title <title>', 'its title, if it has one')
    .option('--model <path>', 'model file (default: the shipped model)')
    .option('--json', 'print the classification as JSON')
    .description('classify one message: category, confidence and the top three')
    .action(async (text: string, opts: { title?: string; model?: string; json?: boolean }) => {
      const classifier: AppealClassifier = loadClassifier(opts.model ?? SHIPPED_MODEL_URL, await labelCategories?.());
      const c = classifier.classify(text, opts.title);
      if (opts.json) {
        console.log(JSON.stringify({ ...c, triage: c.confidence < classifier.threshold }));
        return;
      }
      for (const t of c.top) console.log(`${pad(t.label, 16)}${t.categoryCode.padEnd(28)}${t.confidence.toFixed(3)}`);
      if (c.confidence < classifier.threshold) console.log(`confidence under ${classifier.threshold}: send to manual triage`);
    });
}

/**
 * `cityloop classifier train|eval|classify`: a city retrains the appeal classifier on its own past
 * work orders and scores any model on labelled messages. This file only declares the commands;
 * the trainer (classifier-cli.ts and what it imports) is loaded when one of them runs, so other
 * commands, `serve` among them, never load the training tool. Exit codes as in src/cli/main.ts:
 * 1 for a bad file or model (the message names the line), 2 for wrong usage (reported through
 * commander, which runCli maps to 2).
 */
import type { Command } from 'commander';
import type { AppealLabelCategories } from '../../src/appeals/classifier/appeal-categories.ts';
import { DEFAULT_TRAINING_OPTIONS } from './training-options.ts';

const USAGE = { code: 'cityloop.usage', exitCode: 2 } as const;

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
      const { trainCommand } = await import('./classifier-cli.ts');
      await trainCommand(file, { out: opts.out, holdout, folds, seed, titleCopies: Boolean(opts.titleCopies), source: opts.source, json: Boolean(opts.json) });
    });

  classifier
    .command('eval')
    .argument('<file>', 'JSONL with "text", optional "title" and "label" a line (CSV with a header also works)')
    .option('--model <path>', 'model file (default: the shipped model)')
    .option('--json', 'print {"macroF1", "accuracy", "perClass"} as the last line')
    .description('score a model on labelled messages: precision, recall and F1 per category, macro-F1, accuracy')
    .action(async (file: string, opts: { model?: string; json?: boolean }) => {
      const { evalCommand } = await import('./classifier-cli.ts');
      await evalCommand(file, opts);
    });

  classifier
    .command('classify')
    .argument('<text>', 'the message')
    .option('--title <title>', 'its title, if it has one')
    .option('--model <path>', 'model file (default: the shipped model)')
    .option('--json', 'print the classification as JSON')
    .description('classify one message: category, confidence and the top three')
    .action(async (text: string, opts: { title?: string; model?: string; json?: boolean }) => {
      const { classifyCommand } = await import('./classifier-cli.ts');
      classifyCommand(text, opts, await labelCategories?.());
    });
}

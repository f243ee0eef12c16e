/**
 * `cityloop token …`: API tokens for systems, issued by the command line and recorded as such.
 */
import type { Command } from 'commander';
import { openPlatform } from '../../platform.ts';
import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS } from '../../auth/auth-service.ts';
import { TOKEN_SCOPES, type TokenScope } from '../../auth/token-scopes.ts';
import { commandLinePrincipal } from '../../auth/principal.ts';
import { CliFailure, osUser, settingsOrFail } from '../command-context.ts';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens for systems');
  token
    .command('create')
    .requiredOption('--user <username>', 'the account the token acts as')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--scopes <list>', `comma-separated scopes: ${TOKEN_SCOPES.join(', ')}`, 'read')
    .option('--days <n>', `days until it expires (1 to ${API_TOKEN_MAX_DAYS})`, String(API_TOKEN_DEFAULT_DAYS))
    .description('create an API token (printed once; only its hash is stored); recorded in the event log as issued by the CLI')
    .action(async (opts: { user: string; name: string; scopes: string; days: string }) => {
      const settings = settingsOrFail();
      const scopes = opts.scopes.split(',').map((x) => x.trim()).filter(Boolean);
      for (const sc of scopes) if (!(TOKEN_SCOPES as readonly string[]).includes(sc)) throw new CliFailure(`unknown scope ${sc}: use ${TOKEN_SCOPES.join(', ')}`);
      const platform = await openPlatform(settings);
      try {
        const u = await platform.store.db.selectFrom('users').select('id').where('username', '=', opts.user).executeTakeFirst();
        if (!u) throw new CliFailure(`no user named ${opts.user}`);
        const t = await platform.auth.createApiToken(commandLinePrincipal(osUser()), u.id, opts.name, { scopes: scopes as TokenScope[], expiresInDays: Number(opts.days) });
        console.log(t.token);
      } finally {
        await platform.close();
      }
    });
}

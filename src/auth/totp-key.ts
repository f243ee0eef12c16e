import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key sealing TOTP secrets: the TOTP_SECRET_KEY setting, else `totp-secret.key` in the data
 * folder, made (mode 0600) the first time a secret is sealed. The file keeps one server's secrets
 * readable across restarts; several servers on one store must be given the same key by setting.
 */
export function totpKeyOf(settings: { readonly totpSecretKey: Buffer | undefined; readonly dataDir: string }): () => Buffer {
  let key: Buffer | undefined = settings.totpSecretKey;
  return () => {
    if (key) return key;
    const file = join(settings.dataDir, 'totp-secret.key');
    try {
      const k = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (k.length !== 32) throw new Error(`${file} does not hold 32 bytes of base64`);
      key = k;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const k = randomBytes(32);
      mkdirSync(settings.dataDir, { recursive: true });
      // 'wx': two processes starting together do not overwrite each other's key.
      try {
        writeFileSync(file, `${k.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
        key = k;
      } catch (w) {
        if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
        key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      }
    }
    return key;
  };
}

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Attachments are stored by their SHA-256 (content addressing): the same photo uploaded twice is
 * kept once, and the hash recorded in the case's event proves the file was not changed later.
 */
export class BlobStore {
  readonly #root: string;
  constructor(dataDir: string) {
    this.#root = join(dataDir, 'blobs');
  }

  #path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256 hex digest');
    return join(this.#root, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const path = this.#path(sha256);
    const exists = await stat(path).then(() => true, () => false);
    if (!exists) {
      await mkdir(join(this.#root, sha256.slice(0, 2)), { recursive: true });
      // Write then rename: a crash never leaves a half-written file under the final name.
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, path);
    }
    return { sha256, size: data.length };
  }

  async get(sha256: string): Promise<Buffer> {
    return readFile(this.#path(sha256));
  }
}

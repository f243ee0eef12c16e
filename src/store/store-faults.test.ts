import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StoreFaultMonitor, StoreTimeoutError, classifyStoreFault, describeStoreFault } from './store-faults.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('store faults', () => {
  it('reads a full store from SQLite, PostgreSQL and the file system', () => {
    expect(classifyStoreFault(withCode('SQLITE_FULL', 'database or disk is full'))).toBe('full');
    expect(classifyStoreFault(withCode('SQLITE_IOERR_WRITE', 'disk I/O error: ENOSPC'))).toBe('full');
    expect(classifyStoreFault(withCode('53100', 'could not extend file: No space left on device'))).toBe('full');
    expect(classifyStoreFault(withCode('ENOSPC', 'no space left on device, write'))).toBe('full');
  });

  it('reads a store that is gone, restarting, stalled or locked as unavailable', () => {
    for (const code of ['57P01', '57P03', '08006', '08001', '57014', '53300', 'ECONNREFUSED', 'ECONNRESET', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR_READ']) {
      expect(classifyStoreFault(withCode(code)), code).toBe('unavailable');
    }
    for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect', 'Query read timeout', 'Client has encountered a connection error and is not queryable']) {
      expect(classifyStoreFault(new Error(message)), message).toBe('unavailable');
    }
    expect(classifyStoreFault(new StoreTimeoutError('a write', 10))).toBe('unavailable');
  });

  it('follows the cause of a wrapping error', () => {
    expect(classifyStoreFault(new Error('migration failed', { cause: withCode('SQLITE_FULL') }))).toBe('full');
  });

  it('leaves every other error to be a bug (500): constraint violations, syntax, our own', () => {
    for (const code of ['23505', '23503', '42P01', '42601', '22P02', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ERR_INVALID_ARG_TYPE']) {
      expect(classifyStoreFault(withCode(code)), code).toBeNull();
    }
    expect(classifyStoreFault(new Error('cannot rollback - no transaction is active'))).toBeNull();
    expect(classifyStoreFault(new TypeError('x is undefined'))).toBeNull();
  });

  it('never throws, whatever is thrown at it', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        const f = classifyStoreFault(thrown);
        expect(f === null || f === 'full' || f === 'unavailable').toBe(true);
        expect(typeof describeStoreFault(thrown)).toBe('string');
      }),
    );
  });

  it('remembers a fault until a later write succeeds, even within one millisecond', () => {
    const m = new StoreFaultMonitor(() => 1_000);
    m.noteWriteOk();
    expect(m.noteError(withCode('SQLITE_FULL', 'database or disk is full'))).toBe('full');
    expect(m.current()).toMatchObject({ kind: 'full', detail: 'SQLITE_FULL: database or disk is full' });
    expect(m.noteError(withCode('23505'))).toBeNull();
    expect(m.current()?.kind).toBe('full');
    m.noteWriteOk();
    expect(m.current()).toBeNull();
  });
});

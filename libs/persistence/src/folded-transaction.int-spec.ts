import { Client, Connection } from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { createSuiteResources, SuiteResources } from '../../../test/support/test-environment';
import { CommittedWorkError, deferWrite, foldedTransaction, queryAndCommit } from './folded-transaction';

@Entity('folded_notes')
class Note {
  @PrimaryColumn('int') id!: number;
  @Column('text') body!: string;
}

/** Against the real PostgreSQL: what folding saves in messages, and what it must not change. */
describe('foldedTransaction', () => {
  let resources: SuiteResources;
  let dataSource: DataSource;

  beforeAll(async () => {
    resources = await createSuiteResources('folded-transaction');
    dataSource = new DataSource({ type: 'postgres', url: resources.databaseUrl, entities: [Note], synchronize: true });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await resources?.release();
  });

  beforeEach(() => dataSource.query('TRUNCATE folded_notes'));

  const bodies = async () => (await dataSource.query('SELECT id, body FROM folded_notes ORDER BY id')) as Array<{ id: number; body: string }>;

  /** Messages the connection sends: simple queries, and the extended protocol's Parse. */
  function countMessages(): { count: () => number; restore: () => void } {
    const simple = jest.spyOn(Connection.prototype, 'query');
    const parse = jest.spyOn(Connection.prototype, 'parse');
    return {
      count: () => simple.mock.calls.length + parse.mock.calls.length,
      restore: () => {
        simple.mockRestore();
        parse.mockRestore();
      },
    };
  }

  it('sends BEGIN with the first statement and deferred writes with the COMMIT: two messages, not four', async () => {
    const messages = countMessages();
    let sent: string[];
    try {
      const seen = await foldedTransaction(dataSource, async (manager) => {
        const [{ n }] = (await manager.query('SELECT count(*)::int AS n FROM folded_notes')) as Array<{ n: number }>;
        await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one'); INSERT INTO folded_notes VALUES (2, 'two')`);
        return n;
      });
      expect(seen).toBe(0);
      sent = (jest.mocked(Connection.prototype.query).mock.calls as unknown as string[][]).map(([text]) => text);
      expect(messages.count()).toBe(2);
    } finally {
      messages.restore();
    }
    expect(sent[0]).toMatch(/^START TRANSACTION;\nSELECT count/);
    expect(sent[1]).toMatch(/INSERT INTO folded_notes VALUES \(2, 'two'\);\nCOMMIT$/);
    expect(await bodies()).toEqual([
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
    ]);
  });

  it('keeps order: a deferred write is seen by the statement after it', async () => {
    const seen = await foldedTransaction(dataSource, async (manager) => {
      await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one')`);
      return manager.query('SELECT body FROM folded_notes WHERE id = $1', [1]);
    });
    expect(seen).toEqual([{ body: 'one' }]);
  });

  it('fails the transaction at COMMIT when a deferred write fails, and leaves nothing behind', async () => {
    await expect(
      foldedTransaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO folded_notes VALUES (1, 'one')`);
        await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'again')`);
      }),
    ).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(await bodies()).toEqual([]);
    // The connection went back to the pool clean: the next transaction works.
    await foldedTransaction(dataSource, (manager) => deferWrite(manager, `INSERT INTO folded_notes VALUES (3, 'three')`));
    expect(await bodies()).toEqual([{ id: 3, body: 'three' }]);
  });

  it('drops deferred writes when the work throws, and rolls back what was sent', async () => {
    await expect(
      foldedTransaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO folded_notes VALUES (1, 'sent')`);
        await deferWrite(manager, `INSERT INTO folded_notes VALUES (2, 'never sent')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await bodies()).toEqual([]);
  });

  it('lets the ORM save inside it without a transaction of its own, and undoes a savepoint as usual', async () => {
    await foldedTransaction(dataSource, async (manager) => {
      await manager.save(Object.assign(new Note(), { id: 1, body: 'saved' }));
      await expect(
        manager.transaction(async (inner) => {
          await inner.save(Object.assign(new Note(), { id: 2, body: 'undone' }));
          await deferWrite(inner, `INSERT INTO folded_notes VALUES (3, 'undone too')`);
          throw new Error('inner failure');
        }),
      ).rejects.toThrow('inner failure');
      await deferWrite(manager, `INSERT INTO folded_notes VALUES (4, 'kept')`);
    });
    expect(await bodies()).toEqual([
      { id: 1, body: 'saved' },
      { id: 4, body: 'kept' },
    ]);
  });

  describe('queryAndCommit', () => {
    it('sends the pending writes, the read and the COMMIT in one message: two messages in all, not three', async () => {
      const messages = countMessages();
      let sent: string[];
      let read: unknown;
      try {
        read = await foldedTransaction(dataSource, async (manager) => {
          await manager.query('SELECT count(*)::int AS n FROM folded_notes');
          await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one')`);
          return queryAndCommit(manager, 'SELECT id, body FROM folded_notes');
        });
        sent = (jest.mocked(Connection.prototype.query).mock.calls as unknown as string[][]).map(([text]) => text);
        expect(messages.count()).toBe(2);
      } finally {
        messages.restore();
      }
      // The read saw the write sent in front of it, and the transaction's own COMMIT was not sent again.
      expect(read).toEqual([{ id: 1, body: 'one' }]);
      expect(sent[1]).toBe(`INSERT INTO folded_notes VALUES (1, 'one');\nSELECT id, body FROM folded_notes;\nCOMMIT`);
      expect(await bodies()).toEqual([{ id: 1, body: 'one' }]);
    });

    it('refuses a statement or a deferred write after it, and what it committed stays committed', async () => {
      await expect(
        foldedTransaction(dataSource, async (manager) => {
          await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one')`);
          await queryAndCommit(manager, 'SELECT 1');
          await manager.query(`INSERT INTO folded_notes VALUES (2, 'too late')`);
        }),
      ).rejects.toThrow(/committed with its last read/);
      await expect(
        foldedTransaction(dataSource, async (manager) => {
          await queryAndCommit(manager, 'SELECT 1');
          await deferWrite(manager, `INSERT INTO folded_notes VALUES (3, 'would be lost')`);
        }),
      ).rejects.toThrow(/would be lost/);
      expect(await bodies()).toEqual([{ id: 1, body: 'one' }]);
    });

    it('reports a message lost without an answer as work that may have committed, not as a rollback', async () => {
      // The connection's answer is lost after PostgreSQL ran the message, COMMIT included.
      const real = Client.prototype.query;
      const lost = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
        const result = (real as (...a: unknown[]) => unknown).apply(this, args);
        if (typeof args[0] === 'string' && args[0].endsWith('COMMIT')) {
          return (result as Promise<unknown>).then(() => Promise.reject(new Error('Connection terminated unexpectedly')));
        }
        return result;
      } as never);
      let failure: unknown;
      try {
        await foldedTransaction(dataSource, async (manager) => {
          await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one')`);
          return queryAndCommit(manager, 'SELECT id FROM folded_notes');
        }).catch((error: unknown) => (failure = error));
      } finally {
        lost.mockRestore();
      }
      expect(failure).toBeInstanceOf(CommittedWorkError);
      expect(failure).toMatchObject({ committed: false, message: expect.stringMatching(/may have been committed/) });
      // It had: trying it again would have written it twice.
      expect(await bodies()).toEqual([{ id: 1, body: 'one' }]);
    });

    it('reports work that fails after it as CommittedWorkError, since what it wrote stands', async () => {
      const failing = foldedTransaction(dataSource, async (manager) => {
        await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'one')`);
        await queryAndCommit(manager, 'SELECT 1');
        throw new Error('could not shape the answer');
      });
      await expect(failing).rejects.toBeInstanceOf(CommittedWorkError);
      await expect(failing).rejects.toMatchObject({ cause: { message: 'could not shape the answer' } });
      expect(await bodies()).toEqual([{ id: 1, body: 'one' }]);
    });

    it('rolls everything back when a write in front of the read fails, and leaves the connection clean', async () => {
      await dataSource.query(`INSERT INTO folded_notes VALUES (1, 'one')`);
      await expect(
        foldedTransaction(dataSource, async (manager) => {
          await manager.query(`INSERT INTO folded_notes VALUES (2, 'two')`);
          await deferWrite(manager, `INSERT INTO folded_notes VALUES (1, 'again')`);
          return queryAndCommit(manager, 'SELECT id FROM folded_notes');
        }),
      ).rejects.toMatchObject({ driverError: { code: '23505' } });
      expect(await bodies()).toEqual([{ id: 1, body: 'one' }]);
      const read = await foldedTransaction(dataSource, async (manager) => {
        await deferWrite(manager, `INSERT INTO folded_notes VALUES (3, 'three')`);
        return queryAndCommit(manager, 'SELECT count(*)::int AS n FROM folded_notes');
      });
      expect(read).toEqual([{ n: 2 }]);
    });

    it('is a plain query outside a folded transaction', async () => {
      await dataSource.query(`INSERT INTO folded_notes VALUES (1, 'one')`);
      expect(await queryAndCommit(dataSource.manager, 'SELECT body FROM folded_notes')).toEqual([{ body: 'one' }]);
    });
  });

  it('writes at once outside a folded transaction', async () => {
    await deferWrite(dataSource.manager, `INSERT INTO folded_notes VALUES (5, 'now')`);
    expect(await bodies()).toEqual([{ id: 5, body: 'now' }]);
  });
});

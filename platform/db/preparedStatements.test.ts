import pino from 'pino';
import type { DataSource, QueryRunner } from 'typeorm';
import { TEST_DATABASE_URL, testNamespace } from '../../test/support/testEnv';
import { dropDatabase, openDatabase } from './database';
import { prepared } from './preparedStatements';

const { prefix } = testNamespace();
const database = `${prefix}_prepared`;
let db: DataSource;
/** One connection of the pool, held by the test: prepared statements belong to a connection. */
let connection: QueryRunner;

beforeAll(async () => {
  db = await openDatabase({
    serverUrl: TEST_DATABASE_URL,
    database,
    entities: [],
    migrations: [],
    logger: pino({ level: 'silent' }),
  });
  connection = db.createQueryRunner();
  await connection.connect();
});

afterAll(async () => {
  await connection?.release();
  await db?.destroy();
  await dropDatabase(TEST_DATABASE_URL, database);
});

async function preparedOnConnection(): Promise<string[]> {
  const rows = (await connection.query('SELECT statement FROM pg_prepared_statements WHERE NOT from_sql')) as {
    statement: string;
  }[];
  return rows.map((row) => row.statement);
}

describe('prepared statements', () => {
  it('prepares a marked statement once per connection and runs it by name after that', async () => {
    const marked = prepared('SELECT $1::int + 1 AS next');
    for (const n of [1, 2, 3]) {
      expect(await connection.query(marked, [n])).toEqual([{ next: n + 1 }]);
    }
    await connection.startTransaction();
    expect(await connection.query(marked, [41])).toEqual([{ next: 42 }]);
    await connection.commitTransaction();
    expect((await preparedOnConnection()).filter((text) => text === marked)).toHaveLength(1);
  });

  it('leaves unmarked statements unprepared', async () => {
    const unmarked = 'SELECT $1::int * 2 AS twice';
    expect(await connection.query(unmarked, [21])).toEqual([{ twice: 42 }]);
    expect(await preparedOnConnection()).not.toContain(unmarked);
  });

  it('reports a failing marked statement and runs it again afterwards', async () => {
    const strict = prepared('SELECT 1 / $1::int AS inverse');
    await expect(connection.query(strict, [0])).rejects.toThrow('division by zero');
    expect(await connection.query(strict, [1])).toEqual([{ inverse: 1 }]);
  });
});

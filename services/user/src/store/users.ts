import type { DbClient, DbPool } from '@faultline/platform';

export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

type Db = DbPool | DbClient;

interface Row {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  created_at: Date;
  updated_at: Date;
  password_hash: string;
}

const COLUMNS = 'id, email, name, roles, created_at, updated_at';
const toUser = (row: Row): User => ({ id: row.id, email: row.email, name: row.name, roles: row.roles, createdAt: row.created_at, updatedAt: row.updated_at });

/** Insert a user; undefined when the email is taken (nothing is written then). */
export async function insertUser(
  db: Db,
  user: { id: string; email: string; name: string; passwordHash: string; roles: readonly Role[] },
): Promise<User | undefined> {
  const { rows } = await db.query<Row>(
    `INSERT INTO users (id, email, name, password_hash, roles) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [user.id, user.email, user.name, user.passwordHash, user.roles],
  );
  return rows[0] && toUser(rows[0]);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserWithPassword | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
  return rows[0] && { ...toUser(rows[0]), passwordHash: rows[0].password_hash };
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function updateUserName(db: Db, id: string, name: string): Promise<User | undefined> {
  const { rows } = await db.query<Row>(`UPDATE users SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id, name]);
  return rows[0] && toUser(rows[0]);
}

export async function updateUserRoles(db: Db, id: string, roles: readonly Role[]): Promise<User | undefined> {
  const { rows } = await db.query<Row>(`UPDATE users SET roles = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id, roles]);
  return rows[0] && toUser(rows[0]);
}

/** One page of users, oldest first, and the total count. */
export async function listUsers(db: Db, page: { limit: number; offset: number }): Promise<{ items: User[]; total: number }> {
  const [items, count] = await Promise.all([
    db.query<Row>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`, [page.limit, page.offset]),
    db.query<{ total: string }>('SELECT count(*) AS total FROM users'),
  ]);
  return { items: items.rows.map(toUser), total: Number(count.rows[0]?.total ?? 0) };
}

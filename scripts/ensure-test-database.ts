// Checks that the MySQL/MariaDB test server answers and creates the test database if needed.
import mysql from 'mysql2/promise';

const url = new URL(process.argv[2] ?? '');
const database = url.pathname.slice(1);
if (!/^\w+$/.test(database)) throw new Error(`TEST_MYSQL_URL must name a database, got "${url.pathname}"`);
url.pathname = '/';
try {
  const connection = await mysql.createConnection({ uri: url.href, connectTimeout: 3000 });
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await connection.end();
} catch (error) {
  console.error(`cannot reach MySQL/MariaDB: ${(error as Error).message}`);
  process.exit(1);
}

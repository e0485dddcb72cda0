// Helpers of scripts/start.sh for its database:
//   node scripts/database.js ping <url>              exit 0 when PostgreSQL answers at <url>'s server
//   node scripts/database.js as <url> <user>         <url> with its user replaced (password kept)
const { Client } = require('pg');

const [command, url, user] = process.argv.slice(2);

async function ping() {
  const target = new URL(url);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

if (command === 'ping') {
  void ping();
} else if (command === 'as') {
  const target = new URL(url);
  target.username = encodeURIComponent(user);
  process.stdout.write(`${target.toString()}\n`);
} else {
  process.stderr.write('usage: database.js ping <url> | as <url> <user>\n');
  process.exit(2);
}

// Opens a SQLite store and prints the outcome as JSON: `{"ok":true}` or `{"code":...,"message":...}`.
// A separate process so a test can run it as another user (the read-only cases when the tests run as root).
import { openSqliteStore } from '@portcullis/store-sqlite';

try {
  const store = openSqliteStore(process.argv[2]);
  await store.close();
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ code: e?.code, name: e?.name, message: e?.message }));
}

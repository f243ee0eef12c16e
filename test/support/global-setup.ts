/** Says once per run whether the PostgreSQL store suite runs. */
export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) {
    console.log(`PostgreSQL store suite: on (${process.env.TEST_DATABASE_URL.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@')})`);
  } else {
    console.log('PostgreSQL store suite: skipped (set TEST_DATABASE_URL=postgres://… to run it); SQLite suite: on');
  }
}

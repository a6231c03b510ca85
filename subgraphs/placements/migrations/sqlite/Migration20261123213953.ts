import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213953 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`placements\` (\`id\` text not null, \`slot\` text not null, \`merchant_id\` text not null, \`service_id\` text not null, \`offer_id\` text null, \`category\` text not null, \`categories\` json not null, \`title\` text not null, \`subtitle\` text not null, \`image_url\` text not null, \`priority\` integer not null, \`status\` text not null, \`review_reason\` text null, \`starts_at\` datetime not null, \`ends_at\` datetime not null, \`submitted_at\` datetime not null, \`idempotency_key\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`placements_merchant_id_index\` on \`placements\` (\`merchant_id\`);`);
    this.addSql(`create index \`placements_status_submitted_at_index\` on \`placements\` (\`status\`, \`submitted_at\`);`);
    this.addSql(`create unique index \`placements_merchant_id_idempotency_key_unique\` on \`placements\` (\`merchant_id\`, \`idempotency_key\`);`);

    this.addSql(`create table \`placement_cities\` (\`city\` text not null, \`placement_id\` text not null, primary key (\`city\`, \`placement_id\`));`);
  }

}

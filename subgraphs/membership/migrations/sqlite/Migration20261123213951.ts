import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213951 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`exchanges\` (\`id\` text not null, \`user_id\` text not null, \`idempotency_key\` text not null, \`right_id\` text not null, \`points_spent\` integer not null, \`voucher_code\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`exchanges_user_id_idempotency_key_unique\` on \`exchanges\` (\`user_id\`, \`idempotency_key\`);`);

    this.addSql(`create table \`member_rights\` (\`id\` text not null, \`merchant_id\` text null, \`title\` text not null, \`cost\` integer not null, \`remaining_stock\` integer not null, primary key (\`id\`));`);
    this.addSql(`create index \`member_rights_merchant_id_index\` on \`member_rights\` (\`merchant_id\`);`);

    this.addSql(`create table \`memberships\` (\`user_id\` text not null, \`merchant_id\` text not null, \`joined_at\` datetime not null, primary key (\`user_id\`, \`merchant_id\`));`);
    this.addSql(`create index \`memberships_merchant_id_index\` on \`memberships\` (\`merchant_id\`);`);

    this.addSql(`create table \`membership_programs\` (\`merchant_id\` text not null, \`created_at\` datetime not null, primary key (\`merchant_id\`));`);

    this.addSql(`create table \`payments\` (\`payment_id\` text not null, \`user_id\` text not null, \`merchant_id\` text not null, \`amount\` integer not null, \`coupon_id\` text null, \`points_earned\` integer not null, \`created_at\` datetime not null, primary key (\`payment_id\`));`);

    this.addSql(`create table \`points_accounts\` (\`user_id\` text not null, \`balance\` integer not null, \`lifetime_points\` integer not null, primary key (\`user_id\`));`);

    this.addSql(`create table \`points_transactions\` (\`id\` integer not null primary key autoincrement, \`user_id\` text not null, \`amount\` integer not null, \`reason\` text not null, \`reference\` text not null, \`merchant_id\` text null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`points_transactions_user_id_merchant_id_index\` on \`points_transactions\` (\`user_id\`, \`merchant_id\`);`);
    this.addSql(`create unique index \`points_transactions_user_id_reference_unique\` on \`points_transactions\` (\`user_id\`, \`reference\`);`);
  }

}

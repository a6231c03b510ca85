import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213950 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`coupons\` (\`id\` text not null, \`template_id\` text not null, \`merchant_id\` text not null, \`owner_id\` text not null, \`slot\` integer not null, \`idempotency_key\` text not null, \`code\` text not null, \`status\` text not null, \`claimed_at\` datetime not null, \`redeemed_at\` datetime null, \`payment_id\` text null, \`order_amount\` integer null, \`discount\` integer null, primary key (\`id\`));`);
    this.addSql(`create unique index \`coupons_code_unique\` on \`coupons\` (\`code\`);`);
    this.addSql(`create index \`coupons_owner_id_claimed_at_index\` on \`coupons\` (\`owner_id\`, \`claimed_at\`);`);
    this.addSql(`create unique index \`coupons_owner_id_idempotency_key_unique\` on \`coupons\` (\`owner_id\`, \`idempotency_key\`);`);
    this.addSql(`create unique index \`coupons_owner_id_template_id_slot_unique\` on \`coupons\` (\`owner_id\`, \`template_id\`, \`slot\`);`);

    this.addSql(`create table \`coupon_templates\` (\`id\` text not null, \`merchant_id\` text not null, \`title\` text not null, \`kind\` text not null, \`value\` integer not null, \`min_spend\` integer not null, \`total_stock\` integer not null, \`remaining_stock\` integer not null, \`per_user_limit\` integer not null, \`channel\` text not null, \`status\` text not null default 'ACTIVE', \`starts_at\` datetime not null, \`ends_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`coupon_templates_merchant_id_id_index\` on \`coupon_templates\` (\`merchant_id\`, \`id\`);`);
  }

}

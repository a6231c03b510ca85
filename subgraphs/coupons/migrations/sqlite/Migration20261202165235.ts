import { Migration } from '@mikro-orm/migrations';

export class Migration20261202165235 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`orders\` (\`id\` text not null, \`owner_id\` text not null, \`merchant_id\` text not null, \`idempotency_key\` text not null, \`amount\` integer not null, \`discount\` integer not null, \`amount_to_pay\` integer not null, \`coupon_count\` integer not null, \`status\` text not null, \`version\` integer not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`paid_at\` datetime null, \`transaction_id\` text null, \`amount_paid\` integer null, \`points_credited\` integer not null default false, \`refunded_at\` datetime null, \`refund_id\` text null, \`points_reversed\` integer not null default false, primary key (\`id\`));`);
    this.addSql(`create unique index \`orders_transaction_id_unique\` on \`orders\` (\`transaction_id\`);`);
    this.addSql(`create index \`orders_owner_id_created_at_index\` on \`orders\` (\`owner_id\`, \`created_at\`);`);
    this.addSql(`create unique index \`orders_owner_id_idempotency_key_unique\` on \`orders\` (\`owner_id\`, \`idempotency_key\`);`);

    this.addSql(`alter table \`coupons\` drop column \`order_amount\`;`);
    this.addSql(`alter table \`coupons\` drop column \`discount\`;`);

    this.addSql(`alter table \`coupons\` add column \`applied_at\` datetime null;`);
    this.addSql(`alter table \`coupons\` rename column \`payment_id\` to \`order_id\`;`);
    this.addSql(`create index \`coupons_order_id_index\` on \`coupons\` (\`order_id\`);`);

    this.addSql(`alter table \`coupon_templates\` add column \`stackable\` integer not null default false;`);
  }

}

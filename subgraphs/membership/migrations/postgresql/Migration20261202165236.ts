import { Migration } from '@mikro-orm/migrations';

export class Migration20261202165236 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop table if exists "payments" cascade;`);

    this.addSql(`alter table "points_accounts" add column "debt" int not null default 0;`);

    this.addSql(`create index "points_transactions_reference_index" on "points_transactions" ("reference");`);
  }

  override async down(): Promise<void> {
    this.addSql(`create table "payments" ("payment_id" varchar(255) not null, "user_id" varchar(255) not null, "merchant_id" varchar(255) not null, "amount" int4 not null, "coupon_id" varchar(255) null, "points_earned" int4 not null, "created_at" timestamptz(6) not null, constraint "payments_pkey" primary key ("payment_id"));`);

    this.addSql(`alter table "points_accounts" drop column "debt";`);

    this.addSql(`drop index "points_transactions_reference_index";`);
  }

}

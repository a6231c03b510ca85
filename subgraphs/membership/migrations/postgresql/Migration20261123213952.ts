import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213952 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "exchanges" ("id" varchar(255) not null, "user_id" varchar(255) not null, "idempotency_key" varchar(255) not null, "right_id" varchar(255) not null, "points_spent" int not null, "voucher_code" varchar(255) not null, "created_at" timestamptz not null, constraint "exchanges_pkey" primary key ("id"));`);
    this.addSql(`alter table "exchanges" add constraint "exchanges_user_id_idempotency_key_unique" unique ("user_id", "idempotency_key");`);

    this.addSql(`create table "member_rights" ("id" varchar(255) not null, "merchant_id" varchar(255) null, "title" varchar(255) not null, "cost" int not null, "remaining_stock" int not null, constraint "member_rights_pkey" primary key ("id"));`);
    this.addSql(`create index "member_rights_merchant_id_index" on "member_rights" ("merchant_id");`);

    this.addSql(`create table "memberships" ("user_id" varchar(255) not null, "merchant_id" varchar(255) not null, "joined_at" timestamptz not null, constraint "memberships_pkey" primary key ("user_id", "merchant_id"));`);
    this.addSql(`create index "memberships_merchant_id_index" on "memberships" ("merchant_id");`);

    this.addSql(`create table "membership_programs" ("merchant_id" varchar(255) not null, "created_at" timestamptz not null, constraint "membership_programs_pkey" primary key ("merchant_id"));`);

    this.addSql(`create table "payments" ("payment_id" varchar(255) not null, "user_id" varchar(255) not null, "merchant_id" varchar(255) not null, "amount" int not null, "coupon_id" varchar(255) null, "points_earned" int not null, "created_at" timestamptz not null, constraint "payments_pkey" primary key ("payment_id"));`);

    this.addSql(`create table "points_accounts" ("user_id" varchar(255) not null, "balance" int not null, "lifetime_points" int not null, constraint "points_accounts_pkey" primary key ("user_id"));`);

    this.addSql(`create table "points_transactions" ("id" serial primary key, "user_id" varchar(255) not null, "amount" int not null, "reason" varchar(255) not null, "reference" varchar(255) not null, "merchant_id" varchar(255) null, "created_at" timestamptz not null);`);
    this.addSql(`create index "points_transactions_user_id_merchant_id_index" on "points_transactions" ("user_id", "merchant_id");`);
    this.addSql(`alter table "points_transactions" add constraint "points_transactions_user_id_reference_unique" unique ("user_id", "reference");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "exchanges" cascade;`);

    this.addSql(`drop table if exists "member_rights" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);

    this.addSql(`drop table if exists "membership_programs" cascade;`);

    this.addSql(`drop table if exists "payments" cascade;`);

    this.addSql(`drop table if exists "points_accounts" cascade;`);

    this.addSql(`drop table if exists "points_transactions" cascade;`);
  }

}

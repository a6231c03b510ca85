import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213951 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "coupons" ("id" varchar(255) not null, "template_id" varchar(255) not null, "merchant_id" varchar(255) not null, "owner_id" varchar(255) not null, "slot" int not null, "idempotency_key" varchar(255) not null, "code" varchar(255) not null, "status" varchar(255) not null, "claimed_at" timestamptz not null, "redeemed_at" timestamptz null, "payment_id" varchar(255) null, "order_amount" int null, "discount" int null, constraint "coupons_pkey" primary key ("id"));`);
    this.addSql(`alter table "coupons" add constraint "coupons_code_unique" unique ("code");`);
    this.addSql(`create index "coupons_owner_id_claimed_at_index" on "coupons" ("owner_id", "claimed_at");`);
    this.addSql(`alter table "coupons" add constraint "coupons_owner_id_idempotency_key_unique" unique ("owner_id", "idempotency_key");`);
    this.addSql(`alter table "coupons" add constraint "coupons_owner_id_template_id_slot_unique" unique ("owner_id", "template_id", "slot");`);

    this.addSql(`create table "coupon_templates" ("id" varchar(255) not null, "merchant_id" varchar(255) not null, "title" varchar(255) not null, "kind" varchar(255) not null, "value" int not null, "min_spend" int not null, "total_stock" int not null, "remaining_stock" int not null, "per_user_limit" int not null, "channel" varchar(255) not null, "status" varchar(255) not null default 'ACTIVE', "starts_at" timestamptz not null, "ends_at" timestamptz not null, constraint "coupon_templates_pkey" primary key ("id"));`);
    this.addSql(`create index "coupon_templates_merchant_id_id_index" on "coupon_templates" ("merchant_id", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "coupons" cascade;`);

    this.addSql(`drop table if exists "coupon_templates" cascade;`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261202165235 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "orders" ("id" varchar(255) not null, "owner_id" varchar(255) not null, "merchant_id" varchar(255) not null, "idempotency_key" varchar(255) not null, "amount" int not null, "discount" int not null, "amount_to_pay" int not null, "coupon_count" int not null, "status" varchar(255) not null, "version" int not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "paid_at" timestamptz null, "transaction_id" varchar(255) null, "amount_paid" int null, "points_credited" boolean not null default false, "refunded_at" timestamptz null, "refund_id" varchar(255) null, "points_reversed" boolean not null default false, constraint "orders_pkey" primary key ("id"));`);
    this.addSql(`alter table "orders" add constraint "orders_transaction_id_unique" unique ("transaction_id");`);
    this.addSql(`create index "orders_owner_id_created_at_index" on "orders" ("owner_id", "created_at");`);
    this.addSql(`alter table "orders" add constraint "orders_owner_id_idempotency_key_unique" unique ("owner_id", "idempotency_key");`);

    this.addSql(`alter table "coupons" drop column "order_amount", drop column "discount";`);

    this.addSql(`alter table "coupons" add column "applied_at" timestamptz null;`);
    this.addSql(`alter table "coupons" rename column "payment_id" to "order_id";`);
    this.addSql(`create index "coupons_order_id_index" on "coupons" ("order_id");`);

    this.addSql(`alter table "coupon_templates" add column "stackable" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "orders" cascade;`);

    this.addSql(`alter table "coupon_templates" drop column "stackable";`);

    this.addSql(`drop index "coupons_order_id_index";`);
    this.addSql(`alter table "coupons" drop column "applied_at";`);

    this.addSql(`alter table "coupons" add column "order_amount" int4 null, add column "discount" int4 null;`);
    this.addSql(`alter table "coupons" rename column "order_id" to "payment_id";`);
  }

}

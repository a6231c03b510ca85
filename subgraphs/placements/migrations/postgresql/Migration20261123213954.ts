import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213954 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "placements" ("id" varchar(255) not null, "slot" varchar(255) not null, "merchant_id" varchar(255) not null, "service_id" varchar(255) not null, "offer_id" varchar(255) null, "category" varchar(255) not null, "categories" jsonb not null, "title" varchar(255) not null, "subtitle" varchar(255) not null, "image_url" varchar(255) not null, "priority" int not null, "status" varchar(255) not null, "review_reason" varchar(255) null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "submitted_at" timestamptz not null, "idempotency_key" varchar(255) null, constraint "placements_pkey" primary key ("id"));`);
    this.addSql(`create index "placements_merchant_id_index" on "placements" ("merchant_id");`);
    this.addSql(`create index "placements_status_submitted_at_index" on "placements" ("status", "submitted_at");`);
    this.addSql(`alter table "placements" add constraint "placements_merchant_id_idempotency_key_unique" unique ("merchant_id", "idempotency_key");`);

    this.addSql(`create table "placement_cities" ("city" varchar(255) not null, "placement_id" varchar(255) not null, constraint "placement_cities_pkey" primary key ("city", "placement_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "placements" cascade;`);

    this.addSql(`drop table if exists "placement_cities" cascade;`);
  }

}

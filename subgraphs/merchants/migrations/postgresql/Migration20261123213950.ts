import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213950 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "merchants" ("id" varchar(255) not null, "name" varchar(255) not null, "category" varchar(255) not null, "city" varchar(255) not null, "popularity" int not null, "app_id" varchar(255) not null, constraint "merchants_pkey" primary key ("id"));`);
    this.addSql(`create index "merchants_category_index" on "merchants" ("category");`);
    this.addSql(`create index "merchants_city_index" on "merchants" ("city");`);
    this.addSql(`alter table "merchants" add constraint "merchants_app_id_unique" unique ("app_id");`);

    this.addSql(`create table "merchant_services" ("id" varchar(255) not null, "merchant_id" varchar(255) not null, "title" varchar(255) not null, "category" varchar(255) not null, "deep_link" varchar(255) not null, "position" int not null, constraint "merchant_services_pkey" primary key ("id"));`);
    this.addSql(`create index "merchant_services_merchant_id_index" on "merchant_services" ("merchant_id");`);

    this.addSql(`create table "mini_programs" ("app_id" varchar(255) not null, "merchant_id" varchar(255) not null, "name" varchar(255) not null, "home_link" varchar(255) not null, constraint "mini_programs_pkey" primary key ("app_id"));`);
    this.addSql(`alter table "mini_programs" add constraint "mini_programs_merchant_id_unique" unique ("merchant_id");`);

    this.addSql(`create table "stores" ("id" varchar(255) not null, "merchant_id" varchar(255) not null, "name" varchar(255) not null, "city" varchar(255) not null, "address" varchar(255) not null, constraint "stores_pkey" primary key ("id"));`);
    this.addSql(`create index "stores_merchant_id_index" on "stores" ("merchant_id");`);
    this.addSql(`create index "stores_city_merchant_id_index" on "stores" ("city", "merchant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "merchants" cascade;`);

    this.addSql(`drop table if exists "merchant_services" cascade;`);

    this.addSql(`drop table if exists "mini_programs" cascade;`);

    this.addSql(`drop table if exists "stores" cascade;`);
  }

}

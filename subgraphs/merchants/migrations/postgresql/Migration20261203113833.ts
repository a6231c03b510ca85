import { Migration } from '@mikro-orm/migrations';

export class Migration20261203113833 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "merchant_search_text" ("merchant_id" varchar(255) not null, "name" text not null, "keywords" text not null, constraint "merchant_search_text_pkey" primary key ("merchant_id"));`);

    this.addSql(`alter table "merchants" add column "name_en" varchar(255) not null default '';`);

    this.addSql(`alter table "merchant_services" add column "title_en" varchar(255) not null default '';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "merchant_search_text" cascade;`);

    this.addSql(`alter table "merchant_services" drop column "title_en";`);

    this.addSql(`alter table "merchants" drop column "name_en";`);
  }

}

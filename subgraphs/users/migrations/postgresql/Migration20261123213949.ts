import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213949 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "users" ("id" varchar(255) not null, "nickname" varchar(255) not null, "city" varchar(255) not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`create index "users_city_index" on "users" ("city");`);

    this.addSql(`create table "user_grids" ("user_id" varchar(255) not null, "pinned" jsonb not null, "hidden" jsonb not null, "exact" boolean not null, "version" int not null, "updated_at" timestamptz not null, constraint "user_grids_pkey" primary key ("user_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "user_grids" cascade;`);
  }

}

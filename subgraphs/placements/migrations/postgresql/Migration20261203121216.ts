import { Migration } from '@mikro-orm/migrations';

export class Migration20261203121216 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "placement_impressions" ("placement_id" varchar(255) not null, "day" varchar(255) not null, "impressions" int not null, constraint "placement_impressions_pkey" primary key ("placement_id", "day"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "placement_impressions" cascade;`);
  }

}

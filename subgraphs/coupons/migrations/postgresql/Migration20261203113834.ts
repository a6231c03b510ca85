import { Migration } from '@mikro-orm/migrations';

export class Migration20261203113834 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "coupon_templates" add column "title_en" varchar(255) not null default '';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "coupon_templates" drop column "title_en";`);
  }

}

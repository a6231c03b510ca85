import { Migration } from '@mikro-orm/migrations';

export class Migration20261203113833 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`coupon_templates\` add column \`title_en\` text not null default '';`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261203113832 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`merchant_search_text\` (\`merchant_id\` text not null, \`name\` text not null, \`keywords\` text not null, primary key (\`merchant_id\`));`);

    this.addSql(`alter table \`merchants\` add column \`name_en\` text not null default '';`);

    this.addSql(`alter table \`merchant_services\` add column \`title_en\` text not null default '';`);
  }

}

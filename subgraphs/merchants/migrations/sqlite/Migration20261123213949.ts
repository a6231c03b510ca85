import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213949 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`merchants\` (\`id\` text not null, \`name\` text not null, \`category\` text not null, \`city\` text not null, \`popularity\` integer not null, \`app_id\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`merchants_category_index\` on \`merchants\` (\`category\`);`);
    this.addSql(`create index \`merchants_city_index\` on \`merchants\` (\`city\`);`);
    this.addSql(`create unique index \`merchants_app_id_unique\` on \`merchants\` (\`app_id\`);`);

    this.addSql(`create table \`merchant_services\` (\`id\` text not null, \`merchant_id\` text not null, \`title\` text not null, \`category\` text not null, \`deep_link\` text not null, \`position\` integer not null, primary key (\`id\`));`);
    this.addSql(`create index \`merchant_services_merchant_id_index\` on \`merchant_services\` (\`merchant_id\`);`);

    this.addSql(`create table \`mini_programs\` (\`app_id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`home_link\` text not null, primary key (\`app_id\`));`);
    this.addSql(`create unique index \`mini_programs_merchant_id_unique\` on \`mini_programs\` (\`merchant_id\`);`);

    this.addSql(`create table \`stores\` (\`id\` text not null, \`merchant_id\` text not null, \`name\` text not null, \`city\` text not null, \`address\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`stores_merchant_id_index\` on \`stores\` (\`merchant_id\`);`);
    this.addSql(`create index \`stores_city_merchant_id_index\` on \`stores\` (\`city\`, \`merchant_id\`);`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261123213948 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`users\` (\`id\` text not null, \`nickname\` text not null, \`city\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`users_city_index\` on \`users\` (\`city\`);`);

    this.addSql(`create table \`user_grids\` (\`user_id\` text not null, \`pinned\` json not null, \`hidden\` json not null, \`exact\` integer not null, \`version\` integer not null, \`updated_at\` datetime not null, primary key (\`user_id\`));`);
  }

}

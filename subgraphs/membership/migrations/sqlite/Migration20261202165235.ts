import { Migration } from '@mikro-orm/migrations';

export class Migration20261202165235 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop table if exists \`payments\`;`);

    this.addSql(`alter table \`points_accounts\` add column \`debt\` integer not null default 0;`);

    this.addSql(`create index \`points_transactions_reference_index\` on \`points_transactions\` (\`reference\`);`);
  }

}

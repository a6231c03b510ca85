import { Migration } from '@mikro-orm/migrations';

export class Migration20261203121216 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`placement_impressions\` (\`placement_id\` text not null, \`day\` text not null, \`impressions\` integer not null, primary key (\`placement_id\`, \`day\`));`);
  }

}

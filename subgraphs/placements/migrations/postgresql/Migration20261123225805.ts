import { Migration } from '@mikro-orm/migrations';

export class Migration20261123225805 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "placement_cities_placement_id_index" on "placement_cities" ("placement_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "placement_cities_placement_id_index";`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261203122515 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "coupons_template_id_claimed_at_index" on "coupons" ("template_id", "claimed_at");`);

    this.addSql(`create index "orders_merchant_id_paid_at_index" on "orders" ("merchant_id", "paid_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "coupons_template_id_claimed_at_index";`);

    this.addSql(`drop index "orders_merchant_id_paid_at_index";`);
  }

}

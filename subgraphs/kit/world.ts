/**
 * The deterministic seed world. Every subgraph inserts only its own slice, yet all
 * slices agree (a coupon's merchant exists in merchants, a placement's service too),
 * because every row is a pure function of its index. Nothing is random between runs.
 */
import type { SeedScale } from '../../platform/config.ts';

export const CITIES = ['Shanghai', 'Beijing', 'Hangzhou', 'Shenzhen', 'Chengdu'] as const;
/** Each city's name in Chinese (city ids stay English: they are API values). */
export const CITY_NAMES_ZH: Record<(typeof CITIES)[number], string> = { Shanghai: '上海', Beijing: '北京', Hangzhou: '杭州', Shenzhen: '深圳', Chengdu: '成都' };
export const CATEGORIES = ['food', 'coffee', 'travel', 'retail', 'beauty', 'fitness', 'movies', 'hotel'] as const;

export interface WorldSize {
  users: number;
  merchants: number;
  /** Services per merchant. */
  servicesPerMerchant: number;
  /** Offers (coupon templates) per merchant. */
  offersPerMerchant: number;
  /** Coupons users have already claimed (spread one per offer, round-robin over offers). */
  claimedCoupons: number;
}

export const WORLD_SIZES: Record<SeedScale, WorldSize> = {
  small: { users: 3000, merchants: 300, servicesPerMerchant: 3, offersPerMerchant: 4, claimedCoupons: 0 },
  large: { users: 1_000_000, merchants: 100_000, servicesPerMerchant: 3, offersPerMerchant: 10, claimedCoupons: 1_000_000 },
};

/** A fixed instant the seed's validity windows are relative to, so runs never drift. */
export const SEED_EPOCH = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
/** Far enough ahead that seeded offers and placements stay valid for years. */
export const SEED_HORIZON = Date.UTC(2036, 0, 1);

/** A 32-bit hash of a label and an index: the only source of variety in the world. */
export function hash(label: string, index: number): number {
  let h = 2166136261 ^ index;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(items: readonly T[], label: string, index: number): T {
  return items[hash(label, index) % items.length];
}

const FIRST = ['Ming', 'Lei', 'Hua', 'Jing', 'Yan', 'Tao', 'Fang', 'Bo', 'Xin', 'Yu', 'Chen', 'Li'];

/** A text in Chinese, as the app shows it, and its English alternate. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** Each category's name in Chinese (the category ids stay English: they are API values). */
export const CATEGORY_NAMES_ZH: Record<(typeof CATEGORIES)[number], string> = {
  food: '美食',
  coffee: '咖啡茶饮',
  travel: '旅行',
  retail: '购物',
  beauty: '丽人',
  fitness: '运动健身',
  movies: '电影演出',
  hotel: '酒店住宿',
};

/** Bilingual texts, each given as its Chinese and its English. */
function bilingual(...texts: [zh: string, en: string][]): Bilingual[] {
  return texts.map(([zh, en]) => ({ zh, en }));
}

/** The brands of each category; a merchant is one branch of one of them. */
const BRANDS: Record<(typeof CATEGORIES)[number], Bilingual[]> = {
  food: bilingual(['竹林火锅', 'Bamboo Hotpot'], ['金麦面馆', 'Golden Noodle House'], ['小杨生煎', "Yang's Dumpling Bar"], ['外婆家', "Grandma's Kitchen"], ['莲香面包房', 'Lotus Bakery']),
  coffee: bilingual(['蜜雪冰城', 'Mixue Ice Cream & Tea'], ['瑞幸咖啡', 'Luckin Coffee'], ['喜茶', 'Heytea'], ['云山茶馆', 'Cloud Mountain Tea House'], ['江畔咖啡烘焙', 'Riverside Roasters']),
  travel: bilingual(['山海旅行', 'Mountain & Sea Travel'], ['熊猫假期', 'Panda Tours'], ['高铁服务台', 'Rail Desk']),
  retail: bilingual(['福来超市', 'Lucky Mart'], ['西西弗书店', 'Sisyphe Books'], ['港湾数码', 'Harbor Electronics']),
  beauty: bilingual(['丝语美发', 'Silk Salon'], ['莲花水疗', 'Lotus Spa'], ['枫叶美甲', 'Maple Nails']),
  fitness: bilingual(['乐刻健身', 'LeFit Gym'], ['云上瑜伽', 'Cloud Yoga'], ['峰顶攀岩', 'Peak Climbing']),
  movies: bilingual(['万达影城', 'Wanda Cinema'], ['江边电影社', 'River Film Club']),
  hotel: bilingual(['如家酒店', 'Home Inn'], ['竹园客栈', 'Bamboo Inn'], ['港湾公寓酒店', 'Harbor Suites']),
};
const SERVICES: Record<(typeof CATEGORIES)[number], Bilingual[]> = {
  food: bilingual(['在线点单', 'Order ahead'], ['预订餐位', 'Book a table'], ['外卖到家', 'Delivery']),
  coffee: bilingual(['在线点单', 'Order ahead'], ['会员卡', 'Member card'], ['咖啡豆订阅', 'Bean subscription']),
  travel: bilingual(['预订行程', 'Book a trip'], ['机场接送', 'Airport transfer'], ['签证办理', 'Visa help']),
  retail: bilingual(['线上商城', 'Shop online'], ['到店自提', 'Store pickup'], ['礼品卡', 'Gift cards']),
  beauty: bilingual(['预约发型师', 'Book a stylist'], ['护理项目', 'Treatments'], ['会员卡', 'Member card']),
  fitness: bilingual(['预约课程', 'Book a class'], ['单次体验', 'Day pass'], ['私人教练', 'Personal trainer']),
  movies: bilingual(['购买影票', 'Buy tickets'], ['爆米花套餐', 'Snack combo'], ['会员卡', 'Member card']),
  hotel: bilingual(['预订房间', 'Book a room'], ['延迟退房', 'Late checkout'], ['早餐', 'Breakfast']),
};

export const userId = (i: number) => `u${i + 1}`;
export const merchantId = (i: number) => `m${i + 1}`;
export const serviceId = (merchant: number, k: number) => `s${merchant + 1}-${k + 1}`;
export const offerId = (merchant: number, k: number) => `o${merchant + 1}-${k + 1}`;

export interface SeedUser { id: string; nickname: string; city: string }
export interface SeedMerchant {
  id: string;
  /** The name the app shows, in Chinese: a brand and the branch's number. */
  name: string;
  /** The English alternate of the name. */
  nameEn: string;
  category: string;
  city: string;
  popularity: number;
  appId: string;
}
export interface SeedService { id: string; merchantId: string; title: string; titleEn: string; category: string; deepLink: string; position: number }
export interface SeedOffer {
  id: string;
  merchantId: string;
  /** In Chinese, as the app shows it. */
  title: string;
  titleEn: string;
  kind: 'AMOUNT_OFF' | 'PERCENT_OFF' | 'AMOUNT_OFF_ABOVE';
  value: number;
  minSpend: number;
  totalStock: number;
  perUserLimit: number;
  channel: 'PUBLIC' | 'PAYMENT_SUCCESS' | 'MEMBERS_ONLY';
  /** Whether its coupons combine with other stackable coupons on one order. */
  stackable: boolean;
  startsAt: Date;
  endsAt: Date;
}
export interface SeedPlacement {
  id: string;
  slot: 'GRID' | 'BANNER' | 'CARD';
  merchantId: string;
  serviceId: string;
  city: string;
  category: string;
  title: string;
  subtitle: string;
  imageUrl: string;
  priority: number;
  startsAt: Date;
  endsAt: Date;
}

export function seedUser(i: number): SeedUser {
  return { id: userId(i), nickname: `${pick(FIRST, 'nick', i)}${(hash('nick#', i) % 900) + 100}`, city: CITIES[i % CITIES.length] };
}

/** The brand merchant i is a branch of. */
export function seedBrand(i: number): Bilingual {
  return pick(BRANDS[CATEGORIES[i % CATEGORIES.length]], 'brand', i);
}

export function seedMerchant(i: number): SeedMerchant {
  const category = CATEGORIES[i % CATEGORIES.length];
  const brand = seedBrand(i);
  return {
    id: merchantId(i),
    name: `${brand.zh} ${i + 1}号店`,
    nameEn: `${brand.en} ${i + 1}`,
    category,
    // cities rotate on a different period than categories, so every city sees every category
    city: CITIES[Math.floor(i / CATEGORIES.length) % CITIES.length],
    popularity: hash('pop', i) % 10_000,
    appId: `mp-${i + 1}`,
  };
}

export function seedServices(i: number, size: WorldSize): SeedService[] {
  const merchant = seedMerchant(i);
  const titles = SERVICES[merchant.category as keyof typeof SERVICES];
  return Array.from({ length: size.servicesPerMerchant }, (_, k) => ({
    id: serviceId(i, k),
    merchantId: merchant.id,
    title: titles[k % titles.length].zh,
    titleEn: titles[k % titles.length].en,
    category: merchant.category,
    deepLink: `plaza://mini/${merchant.appId}/${k + 1}`,
    position: k,
  }));
}

export function seedOffers(i: number, size: WorldSize): SeedOffer[] {
  const merchant = seedMerchant(i);
  return Array.from({ length: size.offersPerMerchant }, (_, k) => {
    const h = hash('offer', i * 64 + k);
    const kind = (['AMOUNT_OFF', 'PERCENT_OFF', 'AMOUNT_OFF_ABOVE'] as const)[h % 3];
    const value = kind === 'PERCENT_OFF' ? 5 + (h % 4) * 5 : 5 + (h % 6) * 5;
    const channel = k === 1 ? 'PAYMENT_SUCCESS' : k === 3 ? 'MEMBERS_ONLY' : 'PUBLIC';
    // 15% off is "8.5折" (pay 85%), as Chinese shops write it
    const title =
      kind === 'PERCENT_OFF' ? `${merchant.name} ${(100 - value) / 10}折券` : kind === 'AMOUNT_OFF' ? `${merchant.name} 立减${value}元` : `${merchant.name} 满${value * 5}减${value}`;
    const titleEn =
      kind === 'PERCENT_OFF' ? `${value}% off at ${merchant.nameEn}` : kind === 'AMOUNT_OFF' ? `¥${value} off at ${merchant.nameEn}` : `¥${value} off ¥${value * 5} at ${merchant.nameEn}`;
    return {
      id: offerId(i, k),
      merchantId: merchant.id,
      title,
      titleEn,
      kind,
      value,
      minSpend: kind === 'AMOUNT_OFF_ABOVE' ? value * 5 : 0,
      totalStock: 100 + (h % 9) * 100,
      perUserLimit: 1 + (h % 2),
      channel,
      // fixed amounts off combine with each other; percentages never do
      stackable: kind !== 'PERCENT_OFF',
      startsAt: new Date(SEED_EPOCH),
      endsAt: new Date(SEED_HORIZON),
    };
  });
}

/** Starting points balance of user i (one welcome ledger entry). */
export function seedPoints(i: number): number {
  return 100 + (hash('points', i) % 50) * 10;
}

/** Each merchant places its first service in one slot, in its own city. */
export function seedPlacement(i: number, size: WorldSize): SeedPlacement {
  const merchant = seedMerchant(i);
  const service = seedServices(i, size)[0];
  const slot = (['GRID', 'CARD', 'BANNER'] as const)[i % 3];
  return {
    id: `p${i + 1}`,
    slot,
    merchantId: merchant.id,
    serviceId: service.id,
    city: merchant.city,
    category: merchant.category,
    title: `${seedBrand(i).zh}：${service.title}`,
    subtitle: `${CATEGORY_NAMES_ZH[merchant.category as keyof typeof CATEGORY_NAMES_ZH]} · ${CITY_NAMES_ZH[merchant.city as (typeof CITIES)[number]]}`,
    imageUrl: `/img/${merchant.category}.png`,
    priority: hash('prio', i) % 100,
    startsAt: new Date(SEED_EPOCH - 30 * DAY),
    endsAt: new Date(SEED_HORIZON),
  };
}

/** How many seeded claims offer number `t` (merchant-major order) has: claim k takes offer k mod offers. */
export function seededClaimsOf(t: number, size: WorldSize): number {
  const offers = size.merchants * size.offersPerMerchant;
  return size.claimedCoupons > t ? Math.floor((size.claimedCoupons - 1 - t) / offers) + 1 : 0;
}

export interface SeedClaim {
  id: string;
  templateId: string;
  merchantId: string;
  ownerId: string;
  idempotencyKey: string;
  code: string;
  claimedAt: Date;
}

/** Seeded claim k: offer k mod offers, by a user the multiplier spreads over everyone. */
export function seedClaim(k: number, size: WorldSize): SeedClaim {
  const offers = size.merchants * size.offersPerMerchant;
  const t = k % offers;
  const merchant = Math.floor(t / size.offersPerMerchant);
  return {
    id: `c_seed_${k + 1}`,
    templateId: offerId(merchant, t % size.offersPerMerchant),
    merchantId: merchantId(merchant),
    // 7919 is prime and shares no factor with the user counts, so users take turns
    ownerId: userId((k * 7919) % size.users),
    idempotencyKey: `seed-${k + 1}`,
    // claims made at run time get ten-digit codes; seeded ones start with S, so they never collide
    code: `S${String(k + 1).padStart(9, '0')}`,
    claimedAt: new Date(SEED_EPOCH + k * 1000),
  };
}

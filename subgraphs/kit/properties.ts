/**
 * Property groups more than one entity has, for defineEntity's properties: spread one
 * where the group's columns stand (`...bilingual('title')`), so the group is described once.
 */
import { p } from '@mikro-orm/core';

/** A text in Chinese, as the app shows it (`name`), and its English alternate (`<name>En`, empty when there is none). */
export function bilingual<const Name extends string>(name: Name) {
  const zh = p.string();
  const en = p.string().default('');
  return { [name]: zh, [`${name}En`]: en } as Record<Name, typeof zh> & Record<`${Name}En`, typeof en>;
}

/** When a thing (an offer, a placement) is valid: from `startsAt`, until `endsAt`. */
export function validity() {
  return { startsAt: p.datetime(), endsAt: p.datetime() };
}
